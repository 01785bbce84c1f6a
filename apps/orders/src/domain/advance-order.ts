import { OrderCancelled, OrderConfirmed } from '@app/contracts';
import type { EventContract, EventPayload, PublishOptions } from '@app/messaging';
import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Order } from './order.entity';
import { CancellationReason, decide, OrderEvent, type Decision } from './order-status';
import { OrderStatusChange } from './order-status-change.entity';

/** The payment an event reports, which a confirmation passes on to the services that fulfil the order. */
export interface PaymentDetails {
  paymentId: string;
  amount: number;
  currency: string;
}

/** Where an event about an order comes from: a handler's transaction, or the deadline timer's. */
export interface OrderEventSource {
  manager: EntityManager;
  publish<C extends EventContract>(contract: C, data: EventPayload<C>, options: PublishOptions): Promise<unknown>;
  /** The event that caused it; null for the deadline, which orders works out itself. */
  causedByEventId: string | null;
  correlationId: string;
}

export interface Applied {
  order: Order;
  decisions: Decision[];
}

const logger = new Logger('OrderLifecycle');

/**
 * Applies what an event says about an order. The order row is locked first, so two events about
 * one order apply one after the other, and the deadline is compared with the orders database clock
 * under that lock: whatever is handled after the deadline meets an order the deadline has already
 * ended. The state machine decides; each move is recorded in the history with what caused it, and
 * a confirmation or cancellation is announced in the same transaction. Returns null for an order
 * this service does not know.
 */
export async function advanceOrder(source: OrderEventSource, orderId: string, event: OrderEvent, payment?: PaymentDetails): Promise<Applied | null> {
  const rows: { overdue: boolean }[] = await source.manager.query(
    `SELECT payment_deadline <= clock_timestamp() AS overdue FROM orders WHERE id = $1 FOR UPDATE`,
    [orderId],
  );
  if (rows.length === 0) return null;
  const order = await source.manager.findOneByOrFail(Order, { id: orderId });
  const decisions = decide(order.status, event, rows[0].overdue);
  for (const decision of decisions) {
    if (decision.kind === 'ignore') {
      logger.log({ orderId, status: order.status, event, why: decision.why }, 'Event ignored by the order state machine');
      continue;
    }
    await record(source, order, decision, payment);
    order.status = decision.to;
    order.cancellationReason = decision.reason ?? order.cancellationReason;
  }
  return { order, decisions };
}

async function record(source: OrderEventSource, order: Order, decision: Extract<Decision, { kind: 'move' }>, payment?: PaymentDetails): Promise<void> {
  const { manager } = source;
  const reason = decision.reason;
  await manager.update(Order, { id: order.id }, { status: decision.to, ...(reason ? { cancellationReason: reason } : {}) });
  await manager.insert(OrderStatusChange, {
    orderId: order.id,
    status: decision.to,
    reason,
    // The deadline, also when it is applied ahead of a late event, is caused by no event.
    causedByEventId: reason === CancellationReason.PaymentTimeout ? null : source.causedByEventId,
    correlationId: source.correlationId,
  });
  if (decision.announce === 'OrderCancelled' && reason) {
    await source.publish(OrderCancelled, { orderId: order.id, customerId: order.customerId, reason }, { subject: order.id });
  }
  if (decision.announce === 'OrderConfirmed') {
    if (!payment) throw new Error(`Confirming order ${order.id} needs the payment that confirms it`);
    await source.publish(
      OrderConfirmed,
      {
        orderId: order.id,
        customerId: order.customerId,
        paymentId: payment.paymentId,
        amount: payment.amount,
        currency: payment.currency,
        lines: mergedLines(order),
      },
      { subject: order.id },
    );
  }
}

/** One line per SKU, as inventory holds them. */
function mergedLines(order: Order): { sku: string; quantity: number }[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of order.lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}
