import { PaymentCompleted, PaymentFailed, StockReleased } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Reservation, ReservationStatus } from '../domain/reservation.entity';
import { planReservation } from '../domain/reservation-plan';
import { lockShelf, returnToShelf, takeFromShelf } from '../domain/stock-shelf';

@Controller()
export class PaymentOutcomeHandler {
  private readonly logger = new Logger(PaymentOutcomeHandler.name);

  /** Paid: the held stock is sold and stays deducted. */
  @OnEvent(PaymentCompleted)
  async commit(@Payload() payment: EventPayload<typeof PaymentCompleted>, @Ctx() ctx: EventContext): Promise<void> {
    const reservation = await lockReservation(ctx, payment.orderId);
    if (reservation?.status === ReservationStatus.Reserved) {
      await ctx.manager.update(Reservation, { id: reservation.id }, { status: ReservationStatus.Committed });
    } else if (reservation?.status === ReservationStatus.Expired) {
      // Charged in time, but reported after the sweep gave the stock back. Shipping acts on the payment
      // and sends the goods all the same, so they leave the shelf again while they are still there.
      const plan = planReservation(reservation.lines, await lockShelf(ctx.manager, reservation.lines.map((line) => line.sku)));
      if (plan.kind === 'reserve') {
        await takeFromShelf(ctx.manager, plan.lines);
        await ctx.manager.update(Reservation, { id: reservation.id }, { status: ReservationStatus.Committed });
        return;
      }
      // Sold to someone else meanwhile: oversold. Needs a person (or a refund flow).
      this.logger.warn({ orderId: payment.orderId, paymentId: payment.paymentId, missing: plan.missing }, 'Payment completed for an expired reservation whose stock is gone');
    }
  }

  /** The compensation of a reservation: the payment failed, so the stock goes back on the shelf. */
  @OnEvent(PaymentFailed)
  async release(@Payload() payment: EventPayload<typeof PaymentFailed>, @Ctx() ctx: EventContext): Promise<void> {
    const reservation = await lockReservation(ctx, payment.orderId);
    // Already released, or expired by the sweep in the meantime: the stock is back already.
    if (reservation?.status !== ReservationStatus.Reserved) return;
    await returnToShelf(ctx.manager, reservation.lines);
    await ctx.manager.update(Reservation, { id: reservation.id }, { status: ReservationStatus.Released });
    await ctx.publish(
      StockReleased,
      { reservationId: reservation.id, orderId: reservation.orderId, lines: reservation.lines, reason: 'PAYMENT_FAILED' },
      { subject: reservation.orderId },
    );
  }
}

/** Locks the reservation row first, as the sweep does, so a release and an expiry never both return stock. */
function lockReservation(ctx: EventContext, orderId: string): Promise<Reservation | null> {
  return ctx.manager.findOne(Reservation, { where: { orderId }, lock: { mode: 'pessimistic_write' } });
}
