import { defineEvent } from '@app/messaging';
import { z } from 'zod';

/**
 * Orders has decided: the order will not go ahead. Inventory gives back what it holds, payments
 * refunds a charge that went through anyway (a payment that arrived after the deadline).
 */
export const OrderCancelled = defineEvent({
  type: 'shop.order.cancelled.v1',
  topic: 'orders',
  schema: z.object({
    orderId: z.uuid(),
    customerId: z.string().min(1),
    /**
     * PAYMENT_TIMEOUT: not paid before the order's payment deadline. RESERVATION_EXPIRED is the
     * same decision as inventory's sweep used to make it; no longer published, still accepted for
     * events written before.
     */
    reason: z.enum(['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'PAYMENT_TIMEOUT', 'RESERVATION_EXPIRED']),
  }),
});
