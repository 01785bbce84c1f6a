import { PaymentCompleted, PaymentFailed } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { advanceOrder } from '../domain/advance-order';
import { fromEvent } from '../domain/order-event-source';
import { OrderEvent } from '../domain/order-status';

@Controller()
export class PaymentOutcomeHandler {
  /** Confirms the order if it is still waiting and its deadline has not passed; a late payment is refunded by payments. */
  @OnEvent(PaymentCompleted)
  async onPaymentCompleted(@Payload() payment: EventPayload<typeof PaymentCompleted>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(fromEvent(ctx), payment.orderId, OrderEvent.PaymentCompleted, payment);
  }

  @OnEvent(PaymentFailed)
  async onPaymentFailed(@Payload() payment: EventPayload<typeof PaymentFailed>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(fromEvent(ctx), payment.orderId, OrderEvent.PaymentFailed);
  }
}
