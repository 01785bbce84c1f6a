import { PaymentCompleted, PaymentFailed, StockReserved } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { Payment, PaymentStatus } from '../domain/payment.entity';
import { SimulatedPaymentProvider } from '../domain/simulated-payment-provider';

@Controller()
export class ChargeOrderHandler {
  constructor(private readonly provider: SimulatedPaymentProvider) {}

  /** Charges once the goods are held, so a customer is never charged for stock that is not there. */
  @OnEvent(StockReserved)
  async charge(@Payload() reserved: EventPayload<typeof StockReserved>, @Ctx() ctx: EventContext): Promise<void> {
    // The inbox stops redeliveries; the unique order_id also stops a second event about the same order.
    if (await ctx.manager.existsBy(Payment, { orderId: reserved.orderId })) return;
    const base = {
      id: randomUUID(),
      orderId: reserved.orderId,
      customerId: reserved.customerId,
      amount: reserved.amount,
      currency: reserved.currency,
      correlationId: ctx.envelope.correlationid,
    };
    if (Date.now() >= Date.parse(reserved.expiresAt)) {
      // A backlog read after an outage: inventory releases (or has released) this hold and orders
      // cancels the order, so charging now would take money for goods that are back on the shelf.
      await ctx.manager.insert(Payment, ctx.manager.create(Payment, { ...base, status: PaymentStatus.Expired, providerReference: null }));
      return;
    }
    const result = this.provider.charge(reserved.amount);
    const payment = ctx.manager.create(Payment, {
      ...base,
      status: result.approved ? PaymentStatus.Completed : PaymentStatus.Declined,
      providerReference: result.approved ? result.reference : null,
    });
    await ctx.manager.insert(Payment, payment);
    const outcome = { paymentId: payment.id, orderId: payment.orderId, customerId: reserved.customerId, amount: payment.amount, currency: payment.currency };
    if (result.approved) {
      await ctx.publish(PaymentCompleted, outcome, { subject: reserved.orderId });
    } else {
      await ctx.publish(PaymentFailed, { ...outcome, reason: result.reason }, { subject: reserved.orderId });
    }
  }
}
