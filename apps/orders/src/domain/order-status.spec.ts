import { decideTransition, OrderStatus } from './order-status';

const { Placed, Reserved, Paid, Shipped, Cancelled } = OrderStatus;

describe('order status state machine', () => {
  it.each([
    [Placed, Reserved],
    [Reserved, Paid],
    [Paid, Shipped],
    // Out of order: a later step skips the ones whose events have not arrived yet.
    [Placed, Paid],
    [Placed, Shipped],
    [Reserved, Shipped],
    [Placed, Cancelled],
    [Reserved, Cancelled],
  ])('moves %s → %s', (from, to) => {
    expect(decideTransition(from, to)).toEqual({ kind: 'move', to });
  });

  it.each([
    [Paid, Reserved, 'stale'],
    [Shipped, Paid, 'stale'],
    [Shipped, Placed, 'stale'],
    [Paid, Paid, 'already there'],
    [Cancelled, Cancelled, 'already there'],
    [Cancelled, Paid, 'terminal'],
    [Cancelled, Shipped, 'terminal'],
    [Paid, Cancelled, 'too late to cancel'],
    [Shipped, Cancelled, 'too late to cancel'],
  ])('ignores %s → %s (%s)', (from, to, why) => {
    expect(decideTransition(from, to)).toEqual({ kind: 'ignore', why });
  });

  it('ends SHIPPED whatever order the events of the happy path arrive in', () => {
    const orders = [
      [Reserved, Paid, Shipped],
      [Shipped, Paid, Reserved],
      [Paid, Shipped, Reserved],
      [Shipped, Reserved, Paid],
    ];
    for (const events of orders) {
      const end = events.reduce((status, to) => {
        const transition = decideTransition(status, to);
        return transition.kind === 'move' ? transition.to : status;
      }, Placed);
      expect(end).toBe(Shipped);
    }
  });
});
