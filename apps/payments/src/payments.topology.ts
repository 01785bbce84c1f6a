import { OrderCancelled, PaymentCompleted, PaymentFailed, PaymentRefunded, StockReserved } from '@app/contracts';
import { defineService } from '@app/messaging';

export const paymentsTopology = defineService({
  service: 'payments',
  publishes: [PaymentCompleted, PaymentFailed, PaymentRefunded],
  consumes: [StockReserved, OrderCancelled],
});
