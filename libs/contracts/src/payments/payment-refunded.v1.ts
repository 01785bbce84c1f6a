import { defineEvent } from '@app/messaging';
import { z } from 'zod';

/**
 * A completed charge was given back because its order was cancelled (a payment that arrived after
 * the order's deadline): the compensation of PaymentCompleted. At most one per order.
 */
export const PaymentRefunded = defineEvent({
  type: 'shop.payment.refunded.v1',
  topic: 'payments',
  schema: z.object({
    refundId: z.uuid(),
    paymentId: z.uuid(),
    orderId: z.uuid(),
    customerId: z.string().min(1),
    /** Minor units (cents): the whole charge. */
    amount: z.int().nonnegative(),
    currency: z.string().length(3),
    reason: z.enum(['ORDER_CANCELLED']),
  }),
});
