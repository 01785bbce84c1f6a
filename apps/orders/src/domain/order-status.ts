export enum OrderStatus {
  Placed = 'PLACED',
  Paid = 'PAID',
  Cancelled = 'CANCELLED',
}

export enum CancellationReason {
  PaymentDeclined = 'PAYMENT_DECLINED',
}

const TERMINAL: ReadonlySet<OrderStatus> = new Set([OrderStatus.Cancelled]);
const RANK: Record<OrderStatus, number> = { [OrderStatus.Placed]: 0, [OrderStatus.Paid]: 1, [OrderStatus.Cancelled]: 1 };

/**
 * Whether an order may move from one status to another. Events can arrive late or out of order;
 * an order never moves backwards and never leaves a terminal status, so a stale event is a no-op.
 */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  if (from === to || TERMINAL.has(from)) return false;
  return RANK[to] > RANK[from];
}
