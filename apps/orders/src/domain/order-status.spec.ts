import { canTransition, OrderStatus } from './order-status';

describe('order status transitions', () => {
  it.each([
    [OrderStatus.Placed, OrderStatus.Paid, true],
    [OrderStatus.Placed, OrderStatus.Cancelled, true],
    [OrderStatus.Paid, OrderStatus.Placed, false],
    [OrderStatus.Cancelled, OrderStatus.Paid, false],
    [OrderStatus.Paid, OrderStatus.Paid, false],
  ])('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });
});
