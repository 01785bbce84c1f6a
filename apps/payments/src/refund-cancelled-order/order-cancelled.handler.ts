import { OrderCancelled } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { PAYMENT_PROVIDER, type PaymentProvider } from '../domain/payment-provider';
import { cancellationStep } from '../domain/payment-lifecycle';
import { lockPayment, refund } from '../domain/refund-charge';
import { Refund } from '../domain/refund.entity';

@Controller()
export class OrderCancelledHandler {
  constructor(@Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider) {}

  /**
   * Remembers the cancellation (so a StockReserved that comes after it charges nothing) and
   * refunds a charge that completed before it, e.g. a payment that arrived after the order's
   * deadline. A charge still REQUESTED is left to its own handler, which sees this cancellation
   * once it holds the row.
   */
  @OnEvent(OrderCancelled)
  async onOrderCancelled(@Payload() order: EventPayload<typeof OrderCancelled>, @Ctx() ctx: EventContext): Promise<void> {
    await ctx.manager.query(`INSERT INTO order_cancellations (order_id, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [order.orderId, order.reason]);
    const payment = await lockPayment(ctx, order.orderId);
    const refunded = payment ? await ctx.manager.existsBy(Refund, { paymentId: payment.id }) : false;
    if (payment && cancellationStep(payment.status, refunded) === 'refund') await refund(ctx, this.provider, payment);
  }
}
