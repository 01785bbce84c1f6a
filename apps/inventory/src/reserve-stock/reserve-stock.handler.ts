import { OrderPlaced, StockRejected, StockReserved } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { isKnownCancelled, lockOrder } from '../domain/order-lock';
import { Reservation } from '../domain/reservation.entity';
import { reservationStep } from '../domain/reservation-lifecycle';
import { mergeLines, planReservation } from '../domain/reservation-plan';
import { holdOnShelf, lockShelf } from '../domain/stock-shelf';

@Controller()
export class ReserveStockHandler {
  /**
   * Holds every line of the order or none, and says which it was; holds nothing for an order
   * cancelled before it got here (its deadline passed while this event was delayed). The hold
   * lasts until orders confirms or cancels the order: inventory keeps no clock of its own.
   */
  @OnEvent(OrderPlaced)
  async reserve(@Payload() order: EventPayload<typeof OrderPlaced>, @Ctx() ctx: EventContext): Promise<void> {
    await lockOrder(ctx.manager, order.orderId);
    // The inbox stops redeliveries; the unique order_id also stops a second event about the same order.
    const existing = await ctx.manager.findOneBy(Reservation, { orderId: order.orderId });
    const knownCancelled = await isKnownCancelled(ctx.manager, order.orderId);
    const requested = mergeLines(order.lines.map(({ sku, quantity }) => ({ sku, quantity })));
    // The shelf is locked and read only for an order that may be held.
    const plan = existing || knownCancelled ? null : planReservation(requested, await lockShelf(ctx.manager, requested.map((line) => line.sku)));
    const step = reservationStep('OrderPlaced', { reservation: existing?.status ?? null, knownCancelled, inStock: plan?.kind === 'reserve' });
    if (step.kind !== 'record') return;

    const reservation = ctx.manager.create(Reservation, {
      id: randomUUID(),
      orderId: order.orderId,
      customerId: order.customerId,
      amount: order.total,
      currency: order.currency,
      lines: requested,
      status: step.status,
      missing: plan?.kind === 'reject' ? plan.missing : null,
      correlationId: ctx.envelope.correlationid,
    });
    await ctx.manager.insert(Reservation, reservation);
    if (step.shelf === 'hold') await holdOnShelf(ctx.manager, requested);
    if (step.announce === 'StockRejected' && plan?.kind === 'reject') {
      await ctx.publish(StockRejected, { orderId: order.orderId, customerId: order.customerId, missing: plan.missing }, { subject: order.orderId });
    }
    if (step.announce === 'StockReserved') {
      await ctx.publish(
        StockReserved,
        { reservationId: reservation.id, orderId: order.orderId, customerId: order.customerId, amount: order.total, currency: order.currency, lines: requested },
        { subject: order.orderId },
      );
    }
  }
}
