import { defineEvent } from '@app/messaging';
import { z } from 'zod';

/** Not every line could be held, so none was: the lines short of stock, with what was there. */
export const StockRejected = defineEvent({
  type: 'shop.stock.rejected.v1',
  topic: 'inventory',
  schema: z.object({
    orderId: z.uuid(),
    customerId: z.string().min(1),
    missing: z.array(z.object({ sku: z.string().min(1), requested: z.int().positive(), available: z.int().nonnegative() })).min(1),
  }),
});
