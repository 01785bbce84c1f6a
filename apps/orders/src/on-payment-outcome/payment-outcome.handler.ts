import { PaymentCompleted, PaymentFailed } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Order } from '../domain/order.entity';
import { canTransition, CancellationReason, OrderStatus } from '../domain/order-status';
import { OrderStatusChange } from '../domain/order-status-change.entity';

@Controller()
export class PaymentOutcomeHandler {
  @OnEvent(PaymentCompleted)
  async onPaymentCompleted(@Payload() payment: EventPayload<typeof PaymentCompleted>, @Ctx() ctx: EventContext): Promise<void> {
    await moveOrder(ctx, payment.orderId, OrderStatus.Paid, null);
  }

  @OnEvent(PaymentFailed)
  async onPaymentFailed(@Payload() payment: EventPayload<typeof PaymentFailed>, @Ctx() ctx: EventContext): Promise<void> {
    await moveOrder(ctx, payment.orderId, OrderStatus.Cancelled, CancellationReason.PaymentDeclined);
  }
}

/** Locks the order row, so two events about one order apply one after the other. */
async function moveOrder(ctx: EventContext, orderId: string, to: OrderStatus, reason: string | null): Promise<void> {
  const order = await ctx.manager.findOne(Order, { where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
  if (!order || !canTransition(order.status, to)) return;
  await ctx.manager.update(Order, { id: orderId }, { status: to, cancellationReason: reason });
  await ctx.manager.insert(OrderStatusChange, { orderId, status: to, reason, causedByEventId: ctx.envelope.id, correlationId: ctx.envelope.correlationid });
}
