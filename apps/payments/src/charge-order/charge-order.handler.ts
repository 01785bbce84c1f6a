import { PaymentCompleted, PaymentFailed, StockReserved } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Payment } from '../domain/payment.entity';
import { answerStep, chargeStep } from '../domain/payment-lifecycle';
import { chargeKey, PAYMENT_PROVIDER, type PaymentProvider } from '../domain/payment-provider';
import { isKnownCancelled, lockPayment, refund } from '../domain/refund-charge';
import { ChargeRequests } from './charge-requests';

@Controller()
export class ChargeOrderHandler {
  constructor(
    private readonly requests: ChargeRequests,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /**
   * Charges once the goods are held, unless the order is known cancelled. Three steps, each safe to
   * repeat: "charge requested" is committed first; the provider is called with the order's key;
   * the outcome is recorded and announced under the payment row's lock. A crash between any two
   * redelivers the event, which finds the REQUESTED row and asks the provider again with the same
   * key: the first answer comes back, and no second charge is made.
   */
  @OnEvent(StockReserved)
  async charge(@Payload() reserved: EventPayload<typeof StockReserved>, @Ctx() ctx: EventContext): Promise<void> {
    const requested = await this.requests.request({
      orderId: reserved.orderId,
      customerId: reserved.customerId,
      amount: reserved.amount,
      currency: reserved.currency,
      correlationId: ctx.envelope.correlationid,
    });
    if (chargeStep(requested.status) === 'nothing') return;

    const result = await this.provider.charge({ idempotencyKey: chargeKey(reserved.orderId), amount: reserved.amount, currency: reserved.currency });

    const payment = await lockPayment(ctx, reserved.orderId);
    // Cancelled while the charge was under way: the OrderCancelled handler found it REQUESTED and
    // left it to this step, which now holds the row. (Had it come later, it finds it COMPLETED.)
    const step = answerStep(payment?.status ?? null, result.approved, await isKnownCancelled(ctx, reserved.orderId));
    // 'nothing': another event about this order recorded the answer while this one waited for the provider.
    if (step.kind === 'nothing' || !payment) return;
    payment.status = step.status;
    payment.providerReference = result.approved ? result.reference : null;
    await ctx.manager.update(Payment, { id: payment.id }, { status: payment.status, providerReference: payment.providerReference });
    const outcome = { paymentId: payment.id, orderId: payment.orderId, customerId: reserved.customerId, amount: payment.amount, currency: payment.currency };
    if (result.approved) {
      await ctx.publish(PaymentCompleted, outcome, { subject: reserved.orderId });
    } else {
      await ctx.publish(PaymentFailed, { ...outcome, reason: result.reason }, { subject: reserved.orderId });
    }
    if (step.refund) await refund(ctx, this.provider, payment);
  }
}
