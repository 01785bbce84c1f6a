import { OrderPlaced, PaymentCompleted, PaymentFailed } from '@app/contracts';
import { defineService } from '@app/messaging';

export const ordersTopology = defineService({
  service: 'orders',
  publishes: [OrderPlaced],
  consumes: [PaymentCompleted, PaymentFailed],
});
