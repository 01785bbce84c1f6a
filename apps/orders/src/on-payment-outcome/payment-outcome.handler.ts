import { PaymentCompleted, PaymentFailed } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { advanceOrder } from '../domain/advance-order';
import { CancellationReason, OrderStatus } from '../domain/order-status';

@Controller()
export class PaymentOutcomeHandler {
  @OnEvent(PaymentCompleted)
  async onPaymentCompleted(@Payload() payment: EventPayload<typeof PaymentCompleted>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(ctx, payment.orderId, OrderStatus.Paid);
  }

  @OnEvent(PaymentFailed)
  async onPaymentFailed(@Payload() payment: EventPayload<typeof PaymentFailed>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(ctx, payment.orderId, OrderStatus.Cancelled, CancellationReason.PaymentDeclined);
  }
}
