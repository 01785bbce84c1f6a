import { OrderCancelled, OrderConfirmed, OrderPlaced, PaymentCompleted, PaymentFailed, ShipmentDispatched, StockRejected, StockReserved } from '@app/contracts';
import { defineService } from '@app/messaging';

export const ordersTopology = defineService({
  service: 'orders',
  publishes: [OrderPlaced, OrderConfirmed, OrderCancelled],
  consumes: [StockReserved, StockRejected, PaymentCompleted, PaymentFailed, ShipmentDispatched],
});
