import { defineEvent } from '@app/messaging';
import { z } from 'zod';

export const OrderCancelled = defineEvent({
  type: 'shop.order.cancelled.v1',
  topic: 'orders',
  schema: z.object({
    orderId: z.uuid(),
    customerId: z.string().min(1),
    reason: z.enum(['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'RESERVATION_EXPIRED']),
  }),
});
