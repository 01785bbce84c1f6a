import { OrderPlaced, StockRejected, StockReserved } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { INVENTORY_CONFIG, type InventoryConfig } from '../inventory.config';
import { Reservation, ReservationStatus } from '../domain/reservation.entity';
import { mergeLines, planReservation } from '../domain/reservation-plan';
import { lockShelf, takeFromShelf } from '../domain/stock-shelf';

@Controller()
export class ReserveStockHandler {
  constructor(@Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig) {}

  /** Holds every line of the order or none, and says which it was. */
  @OnEvent(OrderPlaced)
  async reserve(@Payload() order: EventPayload<typeof OrderPlaced>, @Ctx() ctx: EventContext): Promise<void> {
    // The inbox stops redeliveries; the unique order_id also stops a second event about the same order.
    if (await ctx.manager.existsBy(Reservation, { orderId: order.orderId })) return;
    const requested = order.lines.map(({ sku, quantity }) => ({ sku, quantity }));
    const plan = planReservation(requested, await lockShelf(ctx.manager, requested.map((line) => line.sku)));
    const expiresAt = new Date(Date.now() + this.config.reservationTtlSeconds * 1000);
    const reservation = ctx.manager.create(Reservation, {
      id: randomUUID(),
      orderId: order.orderId,
      customerId: order.customerId,
      amount: order.total,
      currency: order.currency,
      lines: mergeLines(requested),
      status: plan.kind === 'reserve' ? ReservationStatus.Reserved : ReservationStatus.Rejected,
      missing: plan.kind === 'reject' ? plan.missing : null,
      expiresAt: plan.kind === 'reserve' ? expiresAt : null,
      correlationId: ctx.envelope.correlationid,
    });
    await ctx.manager.insert(Reservation, reservation);

    if (plan.kind === 'reject') {
      await ctx.publish(StockRejected, { orderId: order.orderId, customerId: order.customerId, missing: plan.missing }, { subject: order.orderId });
      return;
    }
    await takeFromShelf(ctx.manager, plan.lines);
    await ctx.publish(
      StockReserved,
      {
        reservationId: reservation.id,
        orderId: order.orderId,
        customerId: order.customerId,
        amount: order.total,
        currency: order.currency,
        lines: plan.lines,
        expiresAt: expiresAt.toISOString(),
      },
      { subject: order.orderId },
    );
  }
}
