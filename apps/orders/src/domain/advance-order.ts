import { OrderCancelled } from '@app/contracts';
import type { EventContext } from '@app/messaging';
import { Order } from './order.entity';
import { CancellationReason, decideTransition, OrderStatus, type Transition } from './order-status';
import { OrderStatusChange } from './order-status-change.entity';

/**
 * Applies what an event says about an order. The order row is locked first, so two events about
 * one order apply one after the other; the state machine decides; a move is recorded in the
 * history with the event that caused it, and a cancellation is announced in the same transaction.
 * Returns null for an order this service does not know.
 */
export async function advanceOrder(ctx: EventContext, orderId: string, to: OrderStatus, reason: CancellationReason | null = null): Promise<Transition | null> {
  const order = await ctx.manager.findOne(Order, { where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
  if (!order) return null;
  const transition = decideTransition(order.status, to);
  if (transition.kind === 'ignore') return transition;

  await ctx.manager.update(Order, { id: orderId }, { status: to, cancellationReason: reason });
  await ctx.manager.insert(OrderStatusChange, { orderId, status: to, reason, causedByEventId: ctx.envelope.id, correlationId: ctx.envelope.correlationid });
  if (to === OrderStatus.Cancelled && reason) {
    await ctx.publish(OrderCancelled, { orderId, customerId: order.customerId, reason }, { subject: orderId });
  }
  return transition;
}
