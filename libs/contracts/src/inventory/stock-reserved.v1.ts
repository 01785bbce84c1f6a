import { defineEvent } from '@app/messaging';
import { z } from 'zod';
import { stockLineSchema } from './stock-line';

/**
 * Every line of an order is held, until orders confirms or cancels it (inventory keeps no clock).
 * Carries what the next step (charging) needs, so payments never has to ask orders for the amount
 * or the customer.
 */
export const StockReserved = defineEvent({
  type: 'shop.stock.reserved.v1',
  topic: 'inventory',
  schema: z.object({
    reservationId: z.uuid(),
    orderId: z.uuid(),
    customerId: z.string().min(1),
    /** Minor units (cents): the order total to charge. */
    amount: z.int().nonnegative(),
    currency: z.string().length(3),
    lines: z.array(stockLineSchema).min(1),
  }),
});
