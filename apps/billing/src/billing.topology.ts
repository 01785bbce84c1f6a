import { InvoiceIssued, PaymentCompleted } from '@app/contracts';
import { defineService } from '@app/messaging';

export const billingTopology = defineService({
  service: 'billing',
  publishes: [InvoiceIssued],
  consumes: [PaymentCompleted],
});
