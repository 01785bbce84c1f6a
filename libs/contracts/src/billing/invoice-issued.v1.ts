import { defineEvent } from '@app/messaging';
import { z } from 'zod';

export const InvoiceIssued = defineEvent({
  type: 'shop.invoice.issued.v1',
  topic: 'billing',
  schema: z.object({
    invoiceId: z.uuid(),
    /** Gap-free within its year: `INV-2026-000042`. */
    invoiceNumber: z.string().min(1),
    orderId: z.uuid(),
    paymentId: z.uuid(),
    customerId: z.string().min(1),
    /** Minor units (cents). */
    amount: z.int().nonnegative(),
    currency: z.string().length(3),
    issuedAt: z.iso.datetime({ offset: true }),
  }),
});
