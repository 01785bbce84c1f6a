import { checkInvariants, type ShopSnapshot } from './invariants';
import { chaosCatalogue, EXPECTED_OUTCOME, OrderPlanner, type OrderKind } from './order-plan';
import type { PlacedOrder } from './order-stream';
import { poison } from './poison';
import { Random } from './random';

const catalogue = chaosCatalogue();

function placedOrders(kinds: OrderKind[]): PlacedOrder[] {
  return kinds.map((kind, index) => {
    const planner = new OrderPlanner(new Random(index + 1), catalogue, 100_000, { happy: 0, declined: 0, outOfStock: 0, [kind]: 1 });
    return { ...planner.next(), orderId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`, attempts: 1, replayed: false };
  });
}

/** The snapshot a correct shop would leave after these orders. */
function settledShop(placed: PlacedOrder[], poisons = [poison('chaos-poison-1', 'billing', 'NOT_JSON', 'shop.payment.completed.v1')]): ShopSnapshot {
  const stock = Object.fromEntries(Object.entries(catalogue.initialStock).map(([sku, available]) => [sku, { available, reserved: 0 }]));
  const snapshot: ShopSnapshot = {
    orders: [],
    repeatedStatuses: [],
    reservations: [],
    payments: [],
    refunds: [],
    provider: [],
    invoices: [],
    invoiceCounters: [],
    shipments: [],
    notifications: [],
    stock,
    outboxes: ['orders', 'inventory'].map((schema) => ({ schema, pending: 0, repeated: [] })),
    queues: [{ name: 'chaos-orders', waiting: 0, inFlight: 0, delayed: 0 }],
    deadLetters: poisons.map((sent) => ({ service: sent.service, body: sent.body, code: sent.code, reason: 'because' })),
  };
  for (const order of placed) {
    const orderId = order.orderId as string;
    const expected = EXPECTED_OUTCOME[order.kind];
    snapshot.orders.push({ id: orderId, key: order.key, customerId: order.request.customerId, status: expected.status, reason: expected.reason, total: order.total, lines: order.request.items });
    snapshot.reservations.push({ orderId, status: expected.reservation });
    if (expected.payment) snapshot.payments.push({ orderId, status: expected.payment, amount: order.total });
    if (expected.payment) snapshot.provider.push({ orderId, operation: 'charge', approved: expected.payment === 'COMPLETED', amount: order.total });
    if (expected.invoiced) snapshot.invoices.push({ orderId, number: `INV-2026-${String(snapshot.invoices.length + 1).padStart(6, '0')}`, amount: order.total });
    if (expected.shipped) {
      snapshot.shipments.push({ orderId });
      for (const item of order.request.items) stock[item.sku].available -= item.quantity;
    }
    snapshot.notifications.push(...expected.notifications.map((eventType) => ({ orderId, eventType })));
  }
  snapshot.invoiceCounters.push({ series: '2026', lastNumber: snapshot.invoices.length });
  return snapshot;
}

describe('the chaos run invariants', () => {
  const placed = placedOrders(['happy', 'happy', 'declined', 'outOfStock', 'happy']);
  const poisons = [poison('chaos-poison-1', 'billing', 'NOT_JSON', 'shop.payment.completed.v1')];
  const check = (snapshot: ShopSnapshot, orders = placed) => checkInvariants(snapshot, orders, catalogue, poisons);
  const kindsOf = (violations: string[]) => [...new Set(violations.map((violation) => violation.split(':')[0]))];

  it('holds for a shop that did everything once', () => {
    const report = check(settledShop(placed));
    expect(report.violations).toEqual([]);
    expect(report.outcomes).toEqual({ SHIPPED: 3, 'CANCELLED PAYMENT_DECLINED': 1, 'CANCELLED OUT_OF_STOCK': 1 });
  });

  it.each<[string, (snapshot: ShopSnapshot) => void, string[]]>([
    ['a second charge', (s) => s.payments.push({ ...s.payments[0] }), ['payment attempts']],
    ['a charge for an out-of-stock order', (s) => s.payments.push({ orderId: placed[3].orderId as string, status: 'COMPLETED', amount: 1 }), ['payment attempts', 'provider charges']],
    ['a missing invoice (and so a short counter)', (s) => s.invoices.pop(), ['invoices', 'invoice counter']],
    ['a gap in the invoice numbers', (s) => (s.invoices[1].number = 'INV-2026-000007'), ['invoice numbers not gap-free']],
    ['a second shipment', (s) => s.shipments.push({ ...s.shipments[0] }), ['shipments']],
    ['a notification sent twice', (s) => s.notifications.push({ ...s.notifications[0] }), ['notifications']],
    ['stock taken twice', (s) => (s.stock['CHAOS-A'].available -= 1), ['stock']],
    ['stock left held after every order ended', (s) => (s.stock['CHAOS-A'].reserved += 1), ['stock']],
    ['negative stock', (s) => (s.stock['CHAOS-EMPTY'] = { available: -1, reserved: 0 }), ['stock', 'negative stock']],
    ['a second charge at the provider', (s) => s.provider.push({ ...s.provider[0] }), ['provider charges']],
    ['a charge at the provider that payments does not know of', (s) => s.provider.push({ orderId: placed[3].orderId as string, operation: 'charge', approved: true, amount: 1 }), ['provider charges', 'charged but cancelled, not refunded once']],
    ['a refund for an order that went ahead', (s) => s.refunds.push({ orderId: placed[0].orderId as string, amount: placed[0].total }), ['refunds']],
    ['a shipment for a cancelled order', (s) => s.shipments.push({ orderId: placed[2].orderId as string }), ['shipments', 'shipped though cancelled', 'stock']],
    ['a lost order', (s) => s.orders.splice(0, 1), ['lost order', ...['reservation', 'payment', 'invoice', 'shipment', 'notification'].map((what) => `${what} of no order`)]],
    ['an order no one asked for', (s) => s.orders.push({ ...s.orders[0], id: 'ffffffff-0000-4000-8000-000000000000', key: 'someone-else' }), ['unexpected order']],
    ['an order stuck half-way', (s) => (s.orders[0].status = 'CONFIRMED'), ['wrong end state']],
    ['an order that differs from its input', (s) => (s.orders[0].total += 1), ['order differs from its input']],
    ['a status reached twice', (s) => s.repeatedStatuses.push({ orderId: 'x', status: 'CONFIRMED', times: 2 }), ['status reached twice']],
    ['an event never sent', (s) => (s.outboxes[0].pending = 1), ['unsent events']],
    ['an event written twice', (s) => s.outboxes[1].repeated.push({ type: 'shop.stock.reserved.v1', subject: 'x', times: 2 }), ['event written twice']],
    ['a message left on a queue', (s) => (s.queues[0].inFlight = 1), ['queue not empty']],
    ['a real event in a DLQ', (s) => s.deadLetters.push({ service: 'orders', body: '{}', code: 'RETRIES_EXHAUSTED', reason: 'x' }), ['unexpected dead letter']],
    ['poison that never reached the DLQ', (s) => s.deadLetters.splice(0, 1), ['poison never dead-lettered']],
    ['poison dead-lettered for the wrong reason', (s) => (s.deadLetters[0].code = 'RETRIES_EXHAUSTED'), ['poison dead-lettered with the wrong code']],
  ])('catches %s', (_what, spoil, expected) => {
    const snapshot = settledShop(placed);
    spoil(snapshot);
    expect(kindsOf(check(snapshot).violations)).toEqual(expected);
  });

  it('counts a poison message dead-lettered twice (a crash between the DLQ send and the delete), without failing', () => {
    const snapshot = settledShop(placed);
    snapshot.deadLetters.push({ ...snapshot.deadLetters[0] });
    expect(check(snapshot)).toMatchObject({ violations: [], repeatedDeadLetters: 1 });
  });

  it('does not count an order whose every attempt failed before the shop answered, if it does not exist', () => {
    const unanswered = placedOrders(['happy']).map((order) => ({ ...order, orderId: undefined }));
    const report = check(settledShop([]), unanswered);
    expect(report).toMatchObject({ violations: [], neverPlaced: 1 });
  });

  describe('when orders may miss their payment deadline', () => {
    const orderId = placed[0].orderId as string;
    /** The first (happy) order cancelled by its deadline, with what inventory and payments did about it. */
    const timedOut = (reservation: string, payment: string | null, refunded: boolean) => {
      const snapshot = settledShop(placed);
      Object.assign(snapshot.orders[0], { status: 'CANCELLED', reason: 'PAYMENT_TIMEOUT' });
      snapshot.reservations[0].status = reservation;
      snapshot.payments = snapshot.payments.filter((row) => row.orderId !== orderId);
      snapshot.provider = snapshot.provider.filter((row) => row.orderId !== orderId);
      if (payment) snapshot.payments.push({ orderId, status: payment, amount: placed[0].total });
      if (payment === 'COMPLETED') snapshot.provider.push({ orderId, operation: 'charge', approved: true, amount: placed[0].total });
      if (refunded) {
        snapshot.refunds.push({ orderId, amount: placed[0].total });
        snapshot.provider.push({ orderId, operation: 'refund', approved: true, amount: placed[0].total });
      }
      snapshot.invoices = snapshot.invoices.filter((row) => row.orderId !== orderId).map((row, index) => ({ ...row, number: `INV-2026-${String(index + 1).padStart(6, '0')}` }));
      snapshot.invoiceCounters[0].lastNumber = snapshot.invoices.length;
      snapshot.shipments = snapshot.shipments.filter((row) => row.orderId !== orderId);
      snapshot.notifications = [
        ...snapshot.notifications.filter((row) => row.orderId !== orderId),
        { orderId, eventType: 'shop.order.cancelled.v1' },
        ...(refunded ? [{ orderId, eventType: 'shop.payment.refunded.v1' }] : []),
      ];
      for (const item of placed[0].request.items) snapshot.stock[item.sku].available += item.quantity;
      return snapshot;
    };
    const checkTimingOut = (snapshot: ShopSnapshot) => checkInvariants(snapshot, placed, catalogue, poisons, { paymentsMayTimeOut: true });

    it.each<[string, string, string | null, boolean]>([
      ['never reached payments', 'RELEASED', null, false],
      ['known cancelled by payments before its stock was reported', 'RELEASED', 'NOT_CHARGED', false],
      ['cancelled before inventory heard of it', 'CANCELLED', 'NOT_CHARGED', false],
      ['charged after its deadline and refunded once', 'RELEASED', 'COMPLETED', true],
    ])('takes an order its deadline cancelled: %s', (_what, reservation, payment, refunded) => {
      expect(checkTimingOut(timedOut(reservation, payment, refunded)).violations).toEqual([]);
    });

    it('catches a charge of a cancelled order that was never refunded', () => {
      const snapshot = timedOut('RELEASED', 'COMPLETED', false);
      expect(kindsOf(checkTimingOut(snapshot).violations)).toEqual(['refunds', 'charged but cancelled, not refunded once', 'notifications']);
    });

    it('catches a refund made twice at the provider', () => {
      const snapshot = timedOut('RELEASED', 'COMPLETED', true);
      snapshot.provider.push({ orderId, operation: 'refund', approved: true, amount: placed[0].total });
      expect(kindsOf(checkTimingOut(snapshot).violations)).toEqual(['refunds', 'charged but cancelled, not refunded once']);
    });

    it('catches a cancelled order that was shipped and invoiced', () => {
      const snapshot = timedOut('RELEASED', 'COMPLETED', true);
      snapshot.shipments.push({ orderId });
      expect(kindsOf(checkTimingOut(snapshot).violations)).toEqual(['shipments', 'shipped though cancelled', 'stock']);
    });

    it('catches a cancelled order whose stock stayed held', () => {
      const snapshot = timedOut('RESERVED', null, false);
      for (const item of placed[0].request.items) {
        snapshot.stock[item.sku].available -= item.quantity;
        snapshot.stock[item.sku].reserved += item.quantity;
      }
      expect(kindsOf(checkTimingOut(snapshot).violations)).toEqual(['reservation', 'stock']);
    });

    it('is not accepted when deadlines were not meant to pass', () => {
      expect(kindsOf(check(timedOut('RELEASED', null, false)).violations)).toEqual(['wrong end state', 'reservation', 'payment attempts', 'invoices', 'shipments', 'notifications']);
    });
  });
});
