export enum OrderStatus {
  /** Recorded; inventory has not answered yet. */
  Placed = 'PLACED',
  /** Every line is held by inventory; waiting for the payment, until the payment deadline. */
  AwaitingPayment = 'AWAITING_PAYMENT',
  /** Paid before the deadline: the order goes ahead (OrderConfirmed). */
  Confirmed = 'CONFIRMED',
  Shipped = 'SHIPPED',
  Cancelled = 'CANCELLED',
}

export enum CancellationReason {
  OutOfStock = 'OUT_OF_STOCK',
  PaymentDeclined = 'PAYMENT_DECLINED',
  /** Not paid before the order's payment deadline. */
  PaymentTimeout = 'PAYMENT_TIMEOUT',
  /** Orders cancelled before this release when inventory's sweep lapsed a hold; no longer decided. */
  ReservationExpired = 'RESERVATION_EXPIRED',
}

/** What orders hears about an order, and the one thing it works out itself: the deadline passing. */
export enum OrderEvent {
  StockReserved = 'StockReserved',
  StockRejected = 'StockRejected',
  PaymentCompleted = 'PaymentCompleted',
  PaymentFailed = 'PaymentFailed',
  DeadlinePassed = 'DeadlinePassed',
  ShipmentDispatched = 'ShipmentDispatched',
}

/** What a move announces, in the transaction that makes it. */
export type Announcement = 'OrderConfirmed' | 'OrderCancelled' | null;

export type Decision =
  | { kind: 'move'; to: OrderStatus; reason: CancellationReason | null; announce: Announcement }
  | { kind: 'ignore'; why: IgnoreReason };

export type IgnoreReason =
  /** The order is already where this event would take it (a second event about the same step). */
  | 'already there'
  /** The event is about a step the order has passed (it arrived late, after a later one). */
  | 'stale'
  /** CANCELLED and SHIPPED end an order: nothing reopens it. */
  | 'terminal'
  /** The deadline only ends orders that are still waiting for their payment. */
  | 'not waiting for payment'
  /** A deadline reported before it has passed by the orders clock (a timer that fired early). */
  | 'not due'
  /** Cannot follow from anything orders publishes (e.g. a shipment before the confirmation); kept out. */
  | 'out of turn';

const move = (to: OrderStatus, reason: CancellationReason | null = null): Decision => ({
  kind: 'move',
  to,
  reason,
  announce: to === OrderStatus.Confirmed ? 'OrderConfirmed' : to === OrderStatus.Cancelled ? 'OrderCancelled' : null,
});
const ignore = (why: IgnoreReason): Decision => ({ kind: 'ignore', why });

const { Placed, AwaitingPayment, Confirmed, Shipped, Cancelled } = OrderStatus;

/**
 * The order's state machine: what an event does to an order in `from`. Orders is the one
 * authority on whether an order goes ahead: the first deciding event wins (a payment, a decline,
 * a rejection, or the deadline), and what comes after it is ignored, never reopening the order.
 * A payment can only follow a reservation, so one arriving while PLACED (its StockReserved is
 * still on the way) confirms too. ORDER-LIFECYCLE.md tabulates every interleaving.
 */
const TABLE: Record<OrderStatus, Record<OrderEvent, Decision>> = {
  [Placed]: {
    StockReserved: move(AwaitingPayment),
    StockRejected: move(Cancelled, CancellationReason.OutOfStock),
    PaymentCompleted: move(Confirmed),
    PaymentFailed: move(Cancelled, CancellationReason.PaymentDeclined),
    DeadlinePassed: move(Cancelled, CancellationReason.PaymentTimeout),
    ShipmentDispatched: ignore('out of turn'),
  },
  [AwaitingPayment]: {
    StockReserved: ignore('already there'),
    StockRejected: ignore('out of turn'),
    PaymentCompleted: move(Confirmed),
    PaymentFailed: move(Cancelled, CancellationReason.PaymentDeclined),
    DeadlinePassed: move(Cancelled, CancellationReason.PaymentTimeout),
    ShipmentDispatched: ignore('out of turn'),
  },
  [Confirmed]: {
    StockReserved: ignore('stale'),
    StockRejected: ignore('out of turn'),
    PaymentCompleted: ignore('already there'),
    PaymentFailed: ignore('out of turn'),
    DeadlinePassed: ignore('not waiting for payment'),
    ShipmentDispatched: move(Shipped),
  },
  [Shipped]: {
    StockReserved: ignore('terminal'),
    StockRejected: ignore('terminal'),
    PaymentCompleted: ignore('terminal'),
    PaymentFailed: ignore('terminal'),
    DeadlinePassed: ignore('terminal'),
    ShipmentDispatched: ignore('already there'),
  },
  [Cancelled]: {
    StockReserved: ignore('terminal'),
    StockRejected: ignore('terminal'),
    PaymentCompleted: ignore('terminal'),
    PaymentFailed: ignore('terminal'),
    DeadlinePassed: ignore('terminal'),
    ShipmentDispatched: ignore('terminal'),
  },
};

/** Still waiting for its payment: the deadline can end it. */
export function awaitsPayment(status: OrderStatus): boolean {
  return status === Placed || status === AwaitingPayment;
}

/**
 * What `event` does to an order in `from`. `overdue` says whether the order's payment deadline had
 * passed (by the orders database clock) when the event was handled: the deadline is then the
 * earlier deciding event, so it is applied first and the event meets a cancelled order. The
 * deadline itself applies only once it has passed by that clock, whoever reports it.
 */
export function decide(from: OrderStatus, event: OrderEvent, overdue = false): Decision[] {
  if (event === OrderEvent.DeadlinePassed && !overdue && awaitsPayment(from)) return [ignore('not due')];
  if (overdue && event !== OrderEvent.DeadlinePassed && awaitsPayment(from)) {
    const deadline = TABLE[from].DeadlinePassed;
    return [deadline, TABLE[Cancelled][event]];
  }
  return [TABLE[from][event]];
}

/** The status an order ends in after these decisions. */
export function statusAfter(from: OrderStatus, decisions: readonly Decision[]): OrderStatus {
  return decisions.reduce((status, decision) => (decision.kind === 'move' ? decision.to : status), from);
}
