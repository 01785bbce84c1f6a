import { defineEvent } from '@app/messaging';
import { z } from 'zod';

export const PaymentCompleted = defineEvent({
  type: 'shop.payment.completed.v1',
  topic: 'payments',
  schema: z.object({
    paymentId: z.uuid(),
    orderId: z.uuid(),
    customerId: z.string().min(1),
    amount: z.int().nonnegative(),
    currency: z.string().length(3),
  }),
});
