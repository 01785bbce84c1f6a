import { ShipmentDispatched } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { advanceOrder } from '../domain/advance-order';
import { fromEvent } from '../domain/order-event-source';
import { OrderEvent } from '../domain/order-status';

@Controller()
export class ShipmentDispatchedHandler {
  /** Shipping acts on OrderConfirmed only, so a shipment always finds the order CONFIRMED. */
  @OnEvent(ShipmentDispatched)
  async onShipmentDispatched(@Payload() shipment: EventPayload<typeof ShipmentDispatched>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(fromEvent(ctx), shipment.orderId, OrderEvent.ShipmentDispatched);
  }
}
