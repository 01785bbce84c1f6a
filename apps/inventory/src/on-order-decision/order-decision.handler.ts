import { OrderCancelled, OrderConfirmed, StockReleased } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { isKnownCancelled, lockOrder } from '../domain/order-lock';
import { Reservation } from '../domain/reservation.entity';
import { reservationStep, type InventoryEvent } from '../domain/reservation-lifecycle';
import { returnToShelf, takeOffShelf } from '../domain/stock-shelf';

/** Inventory follows what orders decided about an order: it never decides on its own. */
@Controller()
export class OrderDecisionHandler {
  private readonly logger = new Logger(OrderDecisionHandler.name);

  /** Confirmed: the held goods leave the shelf for good. */
  @OnEvent(OrderConfirmed)
  async commit(@Payload() order: EventPayload<typeof OrderConfirmed>, @Ctx() ctx: EventContext): Promise<void> {
    await this.apply('OrderConfirmed', order.orderId, ctx);
  }

  /**
   * Cancelled: what is held goes back on the shelf (the compensation of StockReserved). Remembered
   * even when nothing is held yet, so an OrderPlaced that arrives after it holds nothing.
   */
  @OnEvent(OrderCancelled)
  async release(@Payload() order: EventPayload<typeof OrderCancelled>, @Ctx() ctx: EventContext): Promise<void> {
    await this.apply('OrderCancelled', order.orderId, ctx, order.reason);
  }

  private async apply(event: InventoryEvent, orderId: string, ctx: EventContext, cancellationReason?: string): Promise<void> {
    await lockOrder(ctx.manager, orderId);
    const reservation = await ctx.manager.findOne(Reservation, { where: { orderId }, lock: { mode: 'pessimistic_write' } });
    const step = reservationStep(event, { reservation: reservation?.status ?? null, knownCancelled: await isKnownCancelled(ctx.manager, orderId) });
    if (cancellationReason) {
      await ctx.manager.query(`INSERT INTO order_cancellations (order_id, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [orderId, cancellationReason]);
    }
    if (step.kind === 'anomaly') this.logger.error({ orderId, event, reservation: reservation?.status ?? null }, `Stock untouched: ${step.why}`);
    if (step.kind !== 'record' || !reservation) return;

    if (step.shelf === 'take off') await takeOffShelf(ctx.manager, reservation.lines);
    if (step.shelf === 'give back') await returnToShelf(ctx.manager, reservation.lines);
    await ctx.manager.update(Reservation, { id: reservation.id }, { status: step.status });
    if (step.announce === 'StockReleased') {
      await ctx.publish(StockReleased, { reservationId: reservation.id, orderId, lines: reservation.lines, reason: 'ORDER_CANCELLED' }, { subject: orderId });
    }
  }
}
