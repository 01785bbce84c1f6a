import { InvoiceIssued, OrderCancelled, PaymentRefunded, ShipmentDispatched } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { messages, placeholderEmail, type Message } from '../domain/message-templates';
import { Notification, NotificationChannel } from '../domain/notification.entity';

@Controller()
export class RecordNotificationHandler {
  @OnEvent(PaymentRefunded)
  async onPaymentRefunded(@Payload() event: EventPayload<typeof PaymentRefunded>, @Ctx() ctx: EventContext): Promise<void> {
    await record(ctx, event, messages.paymentRefunded(event));
  }

  @OnEvent(InvoiceIssued)
  async onInvoiceIssued(@Payload() event: EventPayload<typeof InvoiceIssued>, @Ctx() ctx: EventContext): Promise<void> {
    await record(ctx, event, messages.invoiceIssued(event));
  }

  @OnEvent(ShipmentDispatched)
  async onShipmentDispatched(@Payload() event: EventPayload<typeof ShipmentDispatched>, @Ctx() ctx: EventContext): Promise<void> {
    await record(ctx, event, messages.shipmentDispatched(event));
  }

  @OnEvent(OrderCancelled)
  async onOrderCancelled(@Payload() event: EventPayload<typeof OrderCancelled>, @Ctx() ctx: EventContext): Promise<void> {
    await record(ctx, event, messages.orderCancelled(event));
  }
}

/** One row per event; the unique event_id backs up the inbox should the same event come twice. */
async function record(ctx: EventContext, about: { orderId: string; customerId: string }, message: Message): Promise<void> {
  await ctx.manager
    .createQueryBuilder()
    .insert()
    .into(Notification)
    .values({
      id: randomUUID(),
      eventId: ctx.envelope.id,
      eventType: ctx.envelope.type,
      orderId: about.orderId,
      customerId: about.customerId,
      channel: NotificationChannel.Email,
      recipient: placeholderEmail(about.customerId),
      subject: message.subject,
      text: message.text,
      correlationId: ctx.envelope.correlationid,
    })
    .orIgnore()
    .execute();
}
