import { OrderPlaced, PaymentCompleted, PaymentFailed } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { Payment, PaymentStatus } from '../domain/payment.entity';
import { SimulatedPaymentProvider } from '../domain/simulated-payment-provider';

@Controller()
export class ChargeOrderHandler {
  constructor(private readonly provider: SimulatedPaymentProvider) {}

  @OnEvent(OrderPlaced)
  async charge(@Payload() order: EventPayload<typeof OrderPlaced>, @Ctx() ctx: EventContext): Promise<void> {
    // The inbox stops redeliveries; the unique order_id also stops a second event about the same order.
    if (await ctx.manager.existsBy(Payment, { orderId: order.orderId })) return;
    const result = this.provider.charge(order.total);
    const payment = ctx.manager.create(Payment, {
      id: randomUUID(),
      orderId: order.orderId,
      amount: order.total,
      currency: order.currency,
      status: result.approved ? PaymentStatus.Completed : PaymentStatus.Declined,
      providerReference: result.approved ? result.reference : null,
      correlationId: ctx.envelope.correlationid,
    });
    await ctx.manager.insert(Payment, payment);
    const outcome = { paymentId: payment.id, orderId: payment.orderId, amount: payment.amount, currency: payment.currency };
    if (result.approved) {
      await ctx.publish(PaymentCompleted, outcome, { subject: order.orderId });
    } else {
      await ctx.publish(PaymentFailed, { ...outcome, reason: result.reason }, { subject: order.orderId });
    }
  }
}
