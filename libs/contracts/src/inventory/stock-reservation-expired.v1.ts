import { defineEvent } from '@app/messaging';
import { z } from 'zod';
import { stockLineSchema } from './stock-line';

/** A reservation was never paid within its time to live; its stock is back on the shelf. */
export const StockReservationExpired = defineEvent({
  type: 'shop.stock.reservation-expired.v1',
  topic: 'inventory',
  schema: z.object({
    reservationId: z.uuid(),
    orderId: z.uuid(),
    customerId: z.string().min(1),
    lines: z.array(stockLineSchema).min(1),
    expiredAt: z.iso.datetime({ offset: true }),
  }),
});
