import { InvoiceIssued, OrderConfirmed } from '@app/contracts';
import { defineService } from '@app/messaging';

export const billingTopology = defineService({
  service: 'billing',
  publishes: [InvoiceIssued],
  consumes: [OrderConfirmed],
});
