import { defineEvent } from '@app/messaging';
import { z } from 'zod';
import { stockLineSchema } from './stock-line';

/**
 * A reservation was given back because its order was cancelled (the compensation of StockReserved).
 * PAYMENT_FAILED is what inventory said when it released on the payment itself; still accepted for
 * events written before.
 */
export const StockReleased = defineEvent({
  type: 'shop.stock.released.v1',
  topic: 'inventory',
  schema: z.object({
    reservationId: z.uuid(),
    orderId: z.uuid(),
    lines: z.array(stockLineSchema).min(1),
    reason: z.enum(['ORDER_CANCELLED', 'PAYMENT_FAILED']),
  }),
});
