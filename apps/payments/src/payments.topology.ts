import { PaymentCompleted, PaymentFailed, StockReserved } from '@app/contracts';
import { defineService } from '@app/messaging';

export const paymentsTopology = defineService({
  service: 'payments',
  publishes: [PaymentCompleted, PaymentFailed],
  consumes: [StockReserved],
});
