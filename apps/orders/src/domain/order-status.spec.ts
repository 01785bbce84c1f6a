import { decide, OrderEvent, OrderStatus, statusAfter, type Decision } from './order-status';

const { Placed, AwaitingPayment, Confirmed, Shipped, Cancelled } = OrderStatus;
const { StockReserved, StockRejected, PaymentCompleted, PaymentFailed, DeadlinePassed, ShipmentDispatched } = OrderEvent;

const moves = (to: OrderStatus, reason: string | null = null, announce: string | null = null) => ({ kind: 'move', to, reason, announce });
const ignores = (why: string) => ({ kind: 'ignore', why });

/** Folds events through the state machine; `overdueFrom` is the index from which the deadline has passed. */
function run(events: readonly OrderEvent[], overdueFrom = Number.POSITIVE_INFINITY) {
  let status = Placed;
  let reason: string | null = null;
  const announced: string[] = [];
  events.forEach((event, index) => {
    const decisions: Decision[] = decide(status, event, index >= overdueFrom || event === DeadlinePassed);
    for (const decision of decisions) {
      if (decision.kind !== 'move') continue;
      reason = decision.reason ?? reason;
      if (decision.announce) announced.push(decision.announce);
    }
    status = statusAfter(status, decisions);
  });
  return { status, reason, announced };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

describe('the order state machine', () => {
  // Every row of the table in ORDER-LIFECYCLE.md: status × event → decision.
  it.each<[OrderStatus, OrderEvent, object]>([
    [Placed, StockReserved, moves(AwaitingPayment)],
    [Placed, StockRejected, moves(Cancelled, 'OUT_OF_STOCK', 'OrderCancelled')],
    [Placed, PaymentCompleted, moves(Confirmed, null, 'OrderConfirmed')],
    [Placed, PaymentFailed, moves(Cancelled, 'PAYMENT_DECLINED', 'OrderCancelled')],
    [Placed, DeadlinePassed, moves(Cancelled, 'PAYMENT_TIMEOUT', 'OrderCancelled')],
    [Placed, ShipmentDispatched, ignores('out of turn')],
    [AwaitingPayment, StockReserved, ignores('already there')],
    [AwaitingPayment, StockRejected, ignores('out of turn')],
    [AwaitingPayment, PaymentCompleted, moves(Confirmed, null, 'OrderConfirmed')],
    [AwaitingPayment, PaymentFailed, moves(Cancelled, 'PAYMENT_DECLINED', 'OrderCancelled')],
    [AwaitingPayment, DeadlinePassed, moves(Cancelled, 'PAYMENT_TIMEOUT', 'OrderCancelled')],
    [AwaitingPayment, ShipmentDispatched, ignores('out of turn')],
    [Confirmed, StockReserved, ignores('stale')],
    [Confirmed, StockRejected, ignores('out of turn')],
    [Confirmed, PaymentCompleted, ignores('already there')],
    [Confirmed, PaymentFailed, ignores('out of turn')],
    [Confirmed, DeadlinePassed, ignores('not waiting for payment')],
    [Confirmed, ShipmentDispatched, moves(Shipped)],
    ...[StockReserved, StockRejected, PaymentCompleted, PaymentFailed, DeadlinePassed].map((event): [OrderStatus, OrderEvent, object] => [Shipped, event, ignores('terminal')]),
    [Shipped, ShipmentDispatched, ignores('already there')],
    ...Object.values(OrderEvent).map((event): [OrderStatus, OrderEvent, object] => [Cancelled, event, ignores('terminal')]),
  ])('%s + %s', (from, event, expected) => {
    expect(decide(from, event, event === DeadlinePassed)).toEqual([expected]);
  });

  it.each([Placed, AwaitingPayment])('applies a deadline reported early by nothing: %s stays put until the orders clock says it has passed', (from) => {
    expect(decide(from, DeadlinePassed, false)).toEqual([ignores('not due')]);
  });

  it.each([StockReserved, StockRejected, PaymentCompleted, PaymentFailed])('handles %s after the deadline as coming after it: the deadline cancels first', (event) => {
    for (const from of [Placed, AwaitingPayment]) {
      expect(decide(from, event, true)).toEqual([moves(Cancelled, 'PAYMENT_TIMEOUT', 'OrderCancelled'), ignores('terminal')]);
    }
  });

  it('lets a confirmed order ship after its deadline: the deadline only ends orders waiting for payment', () => {
    expect(decide(Confirmed, ShipmentDispatched, true)).toEqual([moves(Shipped)]);
  });

  describe('whatever order the deciding events arrive in, the first one wins and nothing reopens the order', () => {
    it.each(permutations([StockReserved, PaymentCompleted, DeadlinePassed]))('%s, %s, %s', (...events) => {
      const paidFirst = events.indexOf(PaymentCompleted) < events.indexOf(DeadlinePassed);
      const end = run(events);
      expect(end).toEqual(
        paidFirst ? { status: Confirmed, reason: null, announced: ['OrderConfirmed'] } : { status: Cancelled, reason: 'PAYMENT_TIMEOUT', announced: ['OrderCancelled'] },
      );
      // The shipment follows only a confirmation.
      expect(run([...events, ShipmentDispatched]).status).toBe(paidFirst ? Shipped : Cancelled);
    });

    it.each(permutations([StockReserved, PaymentFailed, DeadlinePassed]))('%s, %s, %s', (...events) => {
      const declinedFirst = events.indexOf(PaymentFailed) < events.indexOf(DeadlinePassed);
      expect(run(events)).toEqual({ status: Cancelled, reason: declinedFirst ? 'PAYMENT_DECLINED' : 'PAYMENT_TIMEOUT', announced: ['OrderCancelled'] });
    });

    it.each(permutations([StockRejected, DeadlinePassed]))('%s, %s', (...events) => {
      const rejectedFirst = events[0] === StockRejected;
      expect(run(events)).toEqual({ status: Cancelled, reason: rejectedFirst ? 'OUT_OF_STOCK' : 'PAYMENT_TIMEOUT', announced: ['OrderCancelled'] });
    });

    it('a payment handled after the deadline passed, before any job noticed it, meets a cancelled order', () => {
      expect(run([StockReserved, PaymentCompleted], 1)).toEqual({ status: Cancelled, reason: 'PAYMENT_TIMEOUT', announced: ['OrderCancelled'] });
    });

    it('a duplicate of any event changes nothing', () => {
      expect(run([StockReserved, StockReserved, PaymentCompleted, PaymentCompleted, DeadlinePassed, ShipmentDispatched, ShipmentDispatched])).toEqual({
        status: Shipped,
        reason: null,
        announced: ['OrderConfirmed'],
      });
    });
  });
});
