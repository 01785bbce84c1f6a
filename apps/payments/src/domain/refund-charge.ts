import { PaymentRefunded } from '@app/contracts';
import type { EventContext } from '@app/messaging';
import { randomUUID } from 'node:crypto';
import { Payment, PaymentStatus } from './payment.entity';
import { refundKey, type PaymentProvider } from './payment-provider';
import { Refund } from './refund.entity';

/**
 * Gives a completed charge back, once: the provider call carries the order's refund key, so a
 * handler that crashed after the provider refunded asks again on redelivery and gets the same
 * refund; the unique payment_id keeps the record single. MUST be called with the payment row
 * locked in `ctx`'s transaction, for a COMPLETED payment not refunded yet (payment-lifecycle.ts).
 */
export async function refund(ctx: EventContext, provider: PaymentProvider, payment: Payment): Promise<void> {
  if (payment.status !== PaymentStatus.Completed || !payment.providerReference) throw new Error(`Payment ${payment.id} is ${payment.status}: nothing to refund`);
  const refunded = await provider.refund({ idempotencyKey: refundKey(payment.orderId), chargeReference: payment.providerReference, amount: payment.amount, currency: payment.currency });
  const refund = ctx.manager.create(Refund, {
    id: randomUUID(),
    paymentId: payment.id,
    orderId: payment.orderId,
    amount: payment.amount,
    currency: payment.currency,
    providerReference: refunded.reference,
    correlationId: ctx.envelope.correlationid,
  });
  await ctx.manager.insert(Refund, refund);
  await ctx.publish(
    PaymentRefunded,
    {
      refundId: refund.id,
      paymentId: payment.id,
      orderId: payment.orderId,
      customerId: payment.customerId ?? 'unknown',
      amount: payment.amount,
      currency: payment.currency,
      reason: 'ORDER_CANCELLED',
    },
    { subject: payment.orderId },
  );
}

/** Whether orders' cancellation of the order has reached payments. */
export async function isKnownCancelled(ctx: EventContext, orderId: string): Promise<boolean> {
  const rows: unknown[] = await ctx.manager.query(`SELECT 1 FROM order_cancellations WHERE order_id = $1`, [orderId]);
  return rows.length > 0;
}

/** The order's payment row, locked until the transaction ends. */
export function lockPayment(ctx: EventContext, orderId: string): Promise<Payment | null> {
  return ctx.manager.findOne(Payment, { where: { orderId }, lock: { mode: 'pessimistic_write' } });
}
