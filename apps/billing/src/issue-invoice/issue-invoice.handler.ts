import { InvoiceIssued, PaymentCompleted } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { Invoice } from '../domain/invoice.entity';
import { nextInvoiceSequence } from '../domain/invoice-counter';
import { formatInvoiceNumber } from '../domain/invoice-number';

@Controller()
export class IssueInvoiceHandler {
  @OnEvent(PaymentCompleted)
  async issue(@Payload() payment: EventPayload<typeof PaymentCompleted>, @Ctx() ctx: EventContext): Promise<void> {
    // The inbox stops redeliveries of this event; this stops a second event about the same order,
    // before a number is taken. A concurrent one loses on the unique order_id, rolls back its
    // number with it, and finds the invoice on retry.
    if (await ctx.manager.existsBy(Invoice, { orderId: payment.orderId })) return;
    const issuedAt = new Date();
    const year = issuedAt.getUTCFullYear();
    const invoice = ctx.manager.create(Invoice, {
      id: randomUUID(),
      number: formatInvoiceNumber(year, await nextInvoiceSequence(ctx.manager, String(year))),
      orderId: payment.orderId,
      paymentId: payment.paymentId,
      customerId: payment.customerId,
      amount: payment.amount,
      currency: payment.currency,
      correlationId: ctx.envelope.correlationid,
      issuedAt,
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
        issuedAt: issuedAt.toISOString(),
      },
      { subject: invoice.orderId },
    );
  }
}
