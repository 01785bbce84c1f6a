import { defineEvent } from '@app/messaging';
import { z } from 'zod';

export const OrderPlaced = defineEvent({
  type: 'shop.order.placed.v1',
  topic: 'orders',
  schema: z.object({
    orderId: z.uuid(),
    customerId: z.string().min(1),
    currency: z.string().length(3),
    lines: z.array(z.object({ sku: z.string().min(1), quantity: z.int().positive(), unitPrice: z.int().nonnegative() })).min(1),
    /** Minor units (cents). */
    total: z.int().nonnegative(),
  }),
});
