import {
  OrderCancelled,
  OrderPlaced,
  PaymentCompleted,
  PaymentFailed,
  ShipmentDispatched,
  StockRejected,
  StockReservationExpired,
  StockReserved,
} from '@app/contracts';
import { defineService } from '@app/messaging';

export const ordersTopology = defineService({
  service: 'orders',
  publishes: [OrderPlaced, OrderCancelled],
  consumes: [StockReserved, StockRejected, StockReservationExpired, PaymentCompleted, PaymentFailed, ShipmentDispatched],
});
