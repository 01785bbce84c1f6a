import { defineEvent } from '@app/messaging';
import { z } from 'zod';
import { stockLineSchema } from './stock-line';

/** A reservation was given back because its payment failed (the compensation of StockReserved). */
export const StockReleased = defineEvent({
  type: 'shop.stock.released.v1',
  topic: 'inventory',
  schema: z.object({
    reservationId: z.uuid(),
    orderId: z.uuid(),
    lines: z.array(stockLineSchema).min(1),
    reason: z.enum(['PAYMENT_FAILED']),
  }),
});
