import { OrderConfirmed, ShipmentDispatched } from '@app/contracts';
import { defineService } from '@app/messaging';

export const shippingTopology = defineService({
  service: 'shipping',
  publishes: [ShipmentDispatched],
  consumes: [OrderConfirmed],
});
