import { OrderPlaced, StockRejected, StockReserved } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lockOrder } from '../domain/order-lock';
import { Reservation, ReservationStatus } from '../domain/reservation.entity';
import { mergeLines, planReservation } from '../domain/reservation-plan';
import { holdOnShelf, lockShelf } from '../domain/stock-shelf';

@Controller()
export class ReserveStockHandler {
  /**
   * Holds every line of the order or none, and says which it was. The hold lasts until orders
   * confirms or cancels the order: inventory keeps no clock of its own.
   */
  @OnEvent(OrderPlaced)
  async reserve(@Payload() order: EventPayload<typeof OrderPlaced>, @Ctx() ctx: EventContext): Promise<void> {
    await lockOrder(ctx.manager, order.orderId);
    // The inbox stops redeliveries; the unique order_id also stops a second event about the same order.
    if (await ctx.manager.existsBy(Reservation, { orderId: order.orderId })) return;
    const requested = mergeLines(order.lines.map(({ sku, quantity }) => ({ sku, quantity })));
    const reservation = ctx.manager.create(Reservation, {
      id: randomUUID(),
      orderId: order.orderId,
      customerId: order.customerId,
      amount: order.total,
      currency: order.currency,
      lines: requested,
      missing: null,
      correlationId: ctx.envelope.correlationid,
    });

    // Cancelled before it got here (its deadline passed while this event was delayed): hold nothing.
    const cancelled: unknown[] = await ctx.manager.query(`SELECT 1 FROM order_cancellations WHERE order_id = $1`, [order.orderId]);
    if (cancelled.length > 0) {
      await ctx.manager.insert(Reservation, { ...reservation, status: ReservationStatus.Cancelled });
      return;
    }

    const plan = planReservation(requested, await lockShelf(ctx.manager, requested.map((line) => line.sku)));
    if (plan.kind === 'reject') {
      await ctx.manager.insert(Reservation, { ...reservation, status: ReservationStatus.Rejected, missing: plan.missing });
      await ctx.publish(StockRejected, { orderId: order.orderId, customerId: order.customerId, missing: plan.missing }, { subject: order.orderId });
      return;
    }
    await ctx.manager.insert(Reservation, { ...reservation, status: ReservationStatus.Reserved });
    await holdOnShelf(ctx.manager, plan.lines);
    await ctx.publish(
      StockReserved,
      { reservationId: reservation.id, orderId: order.orderId, customerId: order.customerId, amount: order.total, currency: order.currency, lines: plan.lines },
      { subject: order.orderId },
    );
  }
}
