import { defineEvent } from '@app/messaging';
import { z } from 'zod';
import { stockLineSchema } from '../inventory/stock-line';

/**
 * Orders has decided: the order was paid before its deadline, so it goes ahead. The only event the
 * services that fulfil an order act on (inventory takes the goods off the shelf, billing invoices,
 * shipping ships), so nothing is fulfilled for an order that may still be cancelled.
 */
export const OrderConfirmed = defineEvent({
  type: 'shop.order.confirmed.v1',
  topic: 'orders',
  schema: z.object({
    orderId: z.uuid(),
    customerId: z.string().min(1),
    /** The payment that confirmed it. */
    paymentId: z.uuid(),
    /** Minor units (cents): what was charged. */
    amount: z.int().nonnegative(),
    currency: z.string().length(3),
    lines: z.array(stockLineSchema).min(1),
  }),
});
