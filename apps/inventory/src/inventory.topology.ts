import { OrderPlaced, PaymentCompleted, PaymentFailed, StockRejected, StockReleased, StockReservationExpired, StockReserved } from '@app/contracts';
import { defineService } from '@app/messaging';

export const inventoryTopology = defineService({
  service: 'inventory',
  publishes: [StockReserved, StockRejected, StockReleased, StockReservationExpired],
  consumes: [OrderPlaced, PaymentCompleted, PaymentFailed],
});
