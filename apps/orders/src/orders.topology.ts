import { OrderCancelled, OrderConfirmed, OrderPlaced, PaymentCompleted, PaymentFailed, ShipmentDispatched, StockRejected, StockReserved } from '@app/contracts';
import { defineService, ProcessManagerTimeout } from '@app/messaging';

export const ordersTopology = defineService({
  service: 'orders',
  publishes: [OrderPlaced, OrderConfirmed, OrderCancelled],
  // ProcessManagerTimeout: the payment deadline's timer, sent to this service's own queue only.
  consumes: [StockReserved, StockRejected, PaymentCompleted, PaymentFailed, ShipmentDispatched, ProcessManagerTimeout],
});
