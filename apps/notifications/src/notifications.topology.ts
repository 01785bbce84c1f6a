import { InvoiceIssued, OrderCancelled, PaymentRefunded, ShipmentDispatched } from '@app/contracts';
import { defineService } from '@app/messaging';

/** Publishes nothing: it is the end of the line for the events a customer hears about. */
export const notificationsTopology = defineService({
  service: 'notifications',
  publishes: [],
  consumes: [OrderCancelled, PaymentRefunded, InvoiceIssued, ShipmentDispatched],
});
