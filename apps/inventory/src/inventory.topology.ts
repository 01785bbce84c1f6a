import { OrderCancelled, OrderConfirmed, OrderPlaced, StockRejected, StockReleased, StockReserved } from '@app/contracts';
import { defineService } from '@app/messaging';

export const inventoryTopology = defineService({
  service: 'inventory',
  publishes: [StockReserved, StockRejected, StockReleased],
  consumes: [OrderPlaced, OrderConfirmed, OrderCancelled],
});
