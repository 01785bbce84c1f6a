export enum OrderStatus {
  Placed = 'PLACED',
  /** Every line is held by inventory; waiting for the payment. */
  Reserved = 'RESERVED',
  Paid = 'PAID',
  Shipped = 'SHIPPED',
  Cancelled = 'CANCELLED',
}

export enum CancellationReason {
  OutOfStock = 'OUT_OF_STOCK',
  PaymentDeclined = 'PAYMENT_DECLINED',
  ReservationExpired = 'RESERVATION_EXPIRED',
}

/** How far along the happy path an order is. CANCELLED is off the path: terminal, with no rank. */
const RANK: Partial<Record<OrderStatus, number>> = {
  [OrderStatus.Placed]: 0,
  [OrderStatus.Reserved]: 1,
  [OrderStatus.Paid]: 2,
  [OrderStatus.Shipped]: 3,
};

/** From PAID on, money has been taken: a late cancellation no longer applies. */
const LAST_CANCELLABLE_RANK = 1;

export type Transition =
  | { kind: 'move'; to: OrderStatus }
  | { kind: 'ignore'; why: 'already there' | 'stale' | 'terminal' | 'too late to cancel' };

/**
 * What an event that says "the order is now `to`" does to an order that is `from`. Events arrive
 * late, twice or out of order (a shipment can be reported before the payment that caused it), so
 * an order only ever moves forward: an event for a rank it has already passed is stale and ignored,
 * and one that skips ranks moves it straight there. CANCELLED ends the order; it applies only
 * before the payment is taken.
 */
export function decideTransition(from: OrderStatus, to: OrderStatus): Transition {
  if (from === to) return { kind: 'ignore', why: 'already there' };
  if (from === OrderStatus.Cancelled) return { kind: 'ignore', why: 'terminal' };
  const fromRank = rankOf(from);
  if (to === OrderStatus.Cancelled) {
    return fromRank <= LAST_CANCELLABLE_RANK ? { kind: 'move', to } : { kind: 'ignore', why: 'too late to cancel' };
  }
  return rankOf(to) > fromRank ? { kind: 'move', to } : { kind: 'ignore', why: 'stale' };
}

function rankOf(status: OrderStatus): number {
  const rank = RANK[status];
  if (rank === undefined) throw new Error(`${status} has no rank`);
  return rank;
}
