import { advanceOrder, type Applied, type OrderEventSource } from '../domain/advance-order';
import { OrderEvent } from '../domain/order-status';

/**
 * The payment deadline of one order, the one place it is decided: if the order is still waiting
 * for its payment and its deadline has passed by the orders database clock, it is cancelled
 * (PAYMENT_TIMEOUT) and OrderCancelled is announced; otherwise nothing happens. Safe to call early,
 * late or twice, from whatever keeps time (today a scheduled job; a durable timer later).
 * MUST be called inside a transaction (the source's manager).
 */
export function expireUnpaidOrder(source: OrderEventSource, orderId: string): Promise<Applied | null> {
  return advanceOrder(source, orderId, OrderEvent.DeadlinePassed);
}
