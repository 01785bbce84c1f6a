import { InvoiceIssued, OrderConfirmed } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { Invoice } from '../domain/invoice.entity';
import { nextInvoiceSlot } from '../domain/invoice-counter';
import { formatInvoiceNumber } from '../domain/invoice-number';

@Controller()
export class IssueInvoiceHandler {
  /**
   * Invoices the orders that go ahead, and only those: orders confirms an order once, and never
   * cancels it afterwards, so no invoice is ever issued for an order that is then refunded (and no
   * credit note is needed; see apps/orders/src/domain/ORDER-LIFECYCLE.md).
   */
  @OnEvent(OrderConfirmed)
  async issue(@Payload() order: EventPayload<typeof OrderConfirmed>, @Ctx() ctx: EventContext): Promise<void> {
    // The inbox stops redeliveries of this event; this stops a second event about the same order,
    // before a number is taken. A concurrent one loses on the unique order_id, rolls back its
    // number with it, and finds the invoice on retry.
    if (await ctx.manager.existsBy(Invoice, { orderId: order.orderId })) return;
    const slot = await nextInvoiceSlot(ctx.manager);
    const invoice = ctx.manager.create(Invoice, {
      id: randomUUID(),
      number: formatInvoiceNumber(Number(slot.series), slot.sequence),
      orderId: order.orderId,
      paymentId: order.paymentId,
      customerId: order.customerId,
      amount: order.amount,
      currency: order.currency,
      correlationId: ctx.envelope.correlationid,
      issuedAt: slot.issuedAt,
    });
    await ctx.manager.insert(Invoice, invoice);
    await ctx.publish(
      InvoiceIssued,
      {
        invoiceId: invoice.id,
        invoiceNumber: invoice.number,
        orderId: invoice.orderId,
        paymentId: invoice.paymentId,
        customerId: invoice.customerId,
        amount: invoice.amount,
        currency: invoice.currency,
        issuedAt: slot.issuedAt.toISOString(),
      },
      { subject: invoice.orderId },
    );
  }
}
