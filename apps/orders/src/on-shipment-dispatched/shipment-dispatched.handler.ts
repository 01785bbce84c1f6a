import { ShipmentDispatched } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { advanceOrder } from '../domain/advance-order';
import { OrderStatus } from '../domain/order-status';

@Controller()
export class ShipmentDispatchedHandler {
  /** May arrive before PaymentCompleted (they travel separately); the order then skips PAID. */
  @OnEvent(ShipmentDispatched)
  async onShipmentDispatched(@Payload() shipment: EventPayload<typeof ShipmentDispatched>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(ctx, shipment.orderId, OrderStatus.Shipped);
  }
}
