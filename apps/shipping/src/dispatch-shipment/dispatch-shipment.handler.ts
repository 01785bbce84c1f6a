import { OrderConfirmed, ShipmentDispatched } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomBytes, randomUUID } from 'node:crypto';
import { Shipment, ShipmentStatus } from '../domain/shipment.entity';
import { SHIPPING_CONFIG, type ShippingConfig } from '../shipping.config';

@Controller()
export class DispatchShipmentHandler {
  constructor(@Inject(SHIPPING_CONFIG) private readonly config: ShippingConfig) {}

  /**
   * Confirmed orders ship at once: there is no warehouse to wait for in this shop. Only orders
   * confirms an order, and never one it has cancelled, so a cancelled order is never shipped.
   */
  @OnEvent(OrderConfirmed)
  async dispatch(@Payload() order: EventPayload<typeof OrderConfirmed>, @Ctx() ctx: EventContext): Promise<void> {
    // The inbox stops redeliveries; the unique order_id also stops a second event about the same order.
    if (await ctx.manager.existsBy(Shipment, { orderId: order.orderId })) return;
    const shipment = ctx.manager.create(Shipment, {
      id: randomUUID(),
      orderId: order.orderId,
      customerId: order.customerId,
      carrier: this.config.carrier,
      trackingNumber: `TRK-${randomBytes(6).toString('hex').toUpperCase()}`,
      status: ShipmentStatus.Dispatched,
      correlationId: ctx.envelope.correlationid,
      dispatchedAt: new Date(),
    });
    await ctx.manager.insert(Shipment, shipment);
    await ctx.publish(
      ShipmentDispatched,
      {
        shipmentId: shipment.id,
        orderId: shipment.orderId,
        customerId: shipment.customerId,
        carrier: shipment.carrier,
        trackingNumber: shipment.trackingNumber,
        dispatchedAt: shipment.dispatchedAt.toISOString(),
      },
      { subject: shipment.orderId },
    );
  }
}
