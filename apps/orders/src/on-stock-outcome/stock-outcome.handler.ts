import { StockRejected, StockReservationExpired, StockReserved } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { advanceOrder } from '../domain/advance-order';
import { CancellationReason, OrderStatus } from '../domain/order-status';

@Controller()
export class StockOutcomeHandler {
  @OnEvent(StockReserved)
  async onStockReserved(@Payload() reserved: EventPayload<typeof StockReserved>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(ctx, reserved.orderId, OrderStatus.Reserved);
  }

  @OnEvent(StockRejected)
  async onStockRejected(@Payload() rejected: EventPayload<typeof StockRejected>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(ctx, rejected.orderId, OrderStatus.Cancelled, CancellationReason.OutOfStock);
  }

  /** Ignored by the state machine once the order is paid: the payment won the race against the sweep. */
  @OnEvent(StockReservationExpired)
  async onReservationExpired(@Payload() expired: EventPayload<typeof StockReservationExpired>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(ctx, expired.orderId, OrderStatus.Cancelled, CancellationReason.ReservationExpired);
  }
}
