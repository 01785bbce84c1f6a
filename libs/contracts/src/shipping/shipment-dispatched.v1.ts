import { defineEvent } from '@app/messaging';
import { z } from 'zod';

export const ShipmentDispatched = defineEvent({
  type: 'shop.shipment.dispatched.v1',
  topic: 'shipping',
  schema: z.object({
    shipmentId: z.uuid(),
    orderId: z.uuid(),
    customerId: z.string().min(1),
    carrier: z.string().min(1),
    trackingNumber: z.string().min(1),
    dispatchedAt: z.iso.datetime({ offset: true }),
  }),
});
