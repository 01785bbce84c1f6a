import { OrderCancelled, OrderConfirmed, StockReleased } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { lockOrder } from '../domain/order-lock';
import { Reservation, ReservationStatus } from '../domain/reservation.entity';
import { returnToShelf, takeOffShelf } from '../domain/stock-shelf';

/** Inventory follows what orders decided about an order: it never decides on its own. */
@Controller()
export class OrderDecisionHandler {
  private readonly logger = new Logger(OrderDecisionHandler.name);

  /** Confirmed: the held goods leave the shelf for good. */
  @OnEvent(OrderConfirmed)
  async commit(@Payload() order: EventPayload<typeof OrderConfirmed>, @Ctx() ctx: EventContext): Promise<void> {
    const reservation = await lockReservation(ctx, order.orderId);
    if (reservation?.status === ReservationStatus.Reserved) {
      await takeOffShelf(ctx.manager, reservation.lines);
      await ctx.manager.update(Reservation, { id: reservation.id }, { status: ReservationStatus.Committed });
      return;
    }
    // Orders confirms only after a payment, which follows a hold: anything else is a bug upstream.
    if (reservation?.status !== ReservationStatus.Committed) {
      this.logger.error({ orderId: order.orderId, reservation: reservation?.status ?? null }, 'Order confirmed without a stock hold');
    }
  }

  /**
   * Cancelled: what is held goes back on the shelf (the compensation of StockReserved). Remembered
   * even when nothing is held yet, so an OrderPlaced that arrives after it holds nothing.
   */
  @OnEvent(OrderCancelled)
  async release(@Payload() order: EventPayload<typeof OrderCancelled>, @Ctx() ctx: EventContext): Promise<void> {
    const reservation = await lockReservation(ctx, order.orderId);
    await ctx.manager.query(`INSERT INTO order_cancellations (order_id, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [order.orderId, order.reason]);
    if (reservation?.status === ReservationStatus.Committed) {
      this.logger.error({ orderId: order.orderId }, 'Order cancelled after it was confirmed; the stock stays sold');
    }
    if (reservation?.status !== ReservationStatus.Reserved) return;
    await returnToShelf(ctx.manager, reservation.lines);
    await ctx.manager.update(Reservation, { id: reservation.id }, { status: ReservationStatus.Released });
    await ctx.publish(
      StockReleased,
      { reservationId: reservation.id, orderId: reservation.orderId, lines: reservation.lines, reason: 'ORDER_CANCELLED' },
      { subject: reservation.orderId },
    );
  }
}

/** The order's lock, then its reservation row. */
async function lockReservation(ctx: EventContext, orderId: string): Promise<Reservation | null> {
  await lockOrder(ctx.manager, orderId);
  return ctx.manager.findOne(Reservation, { where: { orderId }, lock: { mode: 'pessimistic_write' } });
}
