import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { connect, deliver, providerOperations, publishedTypes } from './support/deliver';
import { startShop, type RunningShop } from './support/shop';
import { ShopClient } from './support/shop-client';

/**
 * The per-service rows of apps/orders/src/domain/ORDER-LIFECYCLE.md: each service alone, the spec
 * playing the others and delivering their events in the order each row names.
 */
const placed = (sku: string, quantity: number, unitPrice = 500) => ({
  customerId: 'interleaving',
  currency: 'EUR',
  lines: [{ sku, quantity, unitPrice }],
  total: quantity * unitPrice,
});
const cancelled = (reason = 'PAYMENT_TIMEOUT') => ({ customerId: 'interleaving', reason });

describe('inventory follows orders, whatever order its events come in', () => {
  let shop: RunningShop;
  let client: ShopClient;
  let db: Client;

  beforeAll(async () => {
    shop = await startShop(['inventory']);
    client = new ShopClient(shop);
    db = await connect(shop.env);
  });

  afterAll(async () => {
    await db?.end();
    await shop?.stop();
  });

  const to = (type: string, orderId: string, data: Record<string, unknown>) => deliver(shop, 'inventory', type, orderId, data);
  const reservationOf = async (orderId: string) => (await client.recordsOf('inventory', '/reservations', orderId)).map((row: { status: string }) => row.status);

  it('OrderPlaced, OrderConfirmed: held, then off the shelf for good', async () => {
    const sku = await client.stockedSku(5);
    const orderId = randomUUID();
    await to('shop.order.placed.v1', orderId, placed(sku, 2));
    expect(await client.stock(sku)).toEqual({ available: 3, reserved: 2 });
    await to('shop.order.confirmed.v1', orderId, { customerId: 'interleaving', paymentId: randomUUID(), amount: 1000, currency: 'EUR', lines: [{ sku, quantity: 2 }] });
    expect(await client.stock(sku)).toEqual({ available: 3, reserved: 0 });
    expect(await reservationOf(orderId)).toEqual(['COMMITTED']);
    expect(await publishedTypes(db, 'inventory', orderId)).toEqual(['shop.stock.reserved.v1']);
  });

  it('OrderPlaced, OrderCancelled, OrderCancelled again: held, then back on the shelf once', async () => {
    const sku = await client.stockedSku(5);
    const orderId = randomUUID();
    await to('shop.order.placed.v1', orderId, placed(sku, 2));
    await to('shop.order.cancelled.v1', orderId, cancelled());
    await to('shop.order.cancelled.v1', orderId, cancelled());
    expect(await client.stock(sku)).toEqual({ available: 5, reserved: 0 });
    expect(await reservationOf(orderId)).toEqual(['RELEASED']);
    expect(await publishedTypes(db, 'inventory', orderId)).toEqual(['shop.stock.reserved.v1', 'shop.stock.released.v1']);
  });

  it('OrderCancelled, then a late OrderPlaced: nothing is ever held, nothing announced', async () => {
    const sku = await client.stockedSku(5);
    const orderId = randomUUID();
    await to('shop.order.cancelled.v1', orderId, cancelled());
    await to('shop.order.placed.v1', orderId, placed(sku, 2));
    expect(await client.stock(sku)).toEqual({ available: 5, reserved: 0 });
    expect(await reservationOf(orderId)).toEqual(['CANCELLED']);
    expect(await publishedTypes(db, 'inventory', orderId)).toEqual([]);
  });

  it('OrderPlaced short of stock, then OrderCancelled: nothing was held, nothing is given back', async () => {
    const sku = await client.stockedSku(1);
    const orderId = randomUUID();
    await to('shop.order.placed.v1', orderId, placed(sku, 2));
    await to('shop.order.cancelled.v1', orderId, cancelled('OUT_OF_STOCK'));
    expect(await client.stock(sku)).toEqual({ available: 1, reserved: 0 });
    expect(await reservationOf(orderId)).toEqual(['REJECTED']);
    expect(await publishedTypes(db, 'inventory', orderId)).toEqual(['shop.stock.rejected.v1']);
  });
});

describe('payments follows orders, whatever order its events come in', () => {
  const DECLINE_ABOVE = 50_000;
  let shop: RunningShop;
  let client: ShopClient;
  let db: Client;

  beforeAll(async () => {
    shop = await startShop(['payments'], { PAYMENT_DECLINE_ABOVE: String(DECLINE_ABOVE) });
    client = new ShopClient(shop);
    db = await connect(shop.env);
  });

  afterAll(async () => {
    await db?.end();
    await shop?.stop();
  });

  const to = (type: string, orderId: string, data: Record<string, unknown>) => deliver(shop, 'payments', type, orderId, data);
  const reserved = (amount: number) => ({ reservationId: randomUUID(), customerId: 'interleaving', amount, currency: 'EUR', lines: [{ sku: 'SKU-ANY', quantity: 1 }] });
  const statuses = async (orderId: string) => (await client.recordsOf('payments', '/payments', orderId)).map((row: { status: string }) => row.status);

  it('StockReserved, OrderCancelled, OrderCancelled again: charged, then refunded once', async () => {
    const orderId = randomUUID();
    await to('shop.stock.reserved.v1', orderId, reserved(2_000));
    await to('shop.order.cancelled.v1', orderId, cancelled());
    await to('shop.order.cancelled.v1', orderId, cancelled());
    expect(await statuses(orderId)).toEqual(['COMPLETED']);
    expect(await client.recordsOf('payments', '/refunds', orderId)).toEqual([expect.objectContaining({ amount: 2_000 })]);
    expect(await providerOperations(db, orderId)).toEqual([
      { operation: 'charge', approved: true, amount: 2_000 },
      { operation: 'refund', approved: true, amount: 2_000 },
    ]);
    expect(await publishedTypes(db, 'payments', orderId)).toEqual(['shop.payment.completed.v1', 'shop.payment.refunded.v1']);
  });

  it('StockReserved declined, then OrderCancelled: nothing taken, nothing to give back', async () => {
    const orderId = randomUUID();
    await to('shop.stock.reserved.v1', orderId, reserved(DECLINE_ABOVE + 1));
    await to('shop.order.cancelled.v1', orderId, cancelled('PAYMENT_DECLINED'));
    expect(await statuses(orderId)).toEqual(['DECLINED']);
    expect(await client.recordsOf('payments', '/refunds', orderId)).toEqual([]);
    expect(await publishedTypes(db, 'payments', orderId)).toEqual(['shop.payment.failed.v1']);
  });

  it('OrderCancelled, then a late StockReserved: never sent to the provider', async () => {
    const orderId = randomUUID();
    await to('shop.order.cancelled.v1', orderId, cancelled());
    await to('shop.stock.reserved.v1', orderId, reserved(2_000));
    expect(await statuses(orderId)).toEqual(['NOT_CHARGED']);
    expect(await providerOperations(db, orderId)).toEqual([]);
    expect(await publishedTypes(db, 'payments', orderId)).toEqual([]);
  });

  it('StockReserved twice, in two envelopes: one charge, one PaymentCompleted', async () => {
    const orderId = randomUUID();
    await to('shop.stock.reserved.v1', orderId, reserved(700));
    await to('shop.stock.reserved.v1', orderId, reserved(700));
    expect(await statuses(orderId)).toEqual(['COMPLETED']);
    expect(await providerOperations(db, orderId)).toEqual([{ operation: 'charge', approved: true, amount: 700 }]);
    expect(await publishedTypes(db, 'payments', orderId)).toEqual(['shop.payment.completed.v1']);
  });
});

describe('orders decides on its own clock', () => {
  let shop: RunningShop;
  let client: ShopClient;
  let db: Client;

  beforeAll(async () => {
    // One second to pay; the deadline's timer stays in the outbox (no relay), so what decides here
    // is the handler comparing the deadline with the database clock.
    shop = await startShop(['orders'], { ORDER_PAYMENT_TIMEOUT_SECONDS: '1', OUTBOX_RELAY_ENABLED: 'false' });
    client = new ShopClient(shop);
    db = await connect(shop.env);
  });

  afterAll(async () => {
    await db?.end();
    await shop?.stop();
  });

  it('a payment handled after the deadline, before any job noticed it, cancels the order instead of confirming it', async () => {
    const orderId = await client.placeOrder({ customerId: 'interleaving', currency: 'EUR', items: [{ sku: 'SKU-ANY', quantity: 1, unitPrice: 800 }] });
    await deliver(shop, 'orders', 'shop.stock.reserved.v1', orderId, { reservationId: randomUUID(), customerId: 'interleaving', amount: 800, currency: 'EUR', lines: [{ sku: 'SKU-ANY', quantity: 1 }] });
    const { waitFor } = await import('@app/messaging/testing');
    await waitFor(async () => (await db.query(`SELECT payment_deadline < now() AS passed FROM orders.orders WHERE id = $1`, [orderId])).rows[0].passed || undefined, {
      what: 'the deadline to pass by the database clock',
    });
    expect((await client.order(orderId)).status).toBe('AWAITING_PAYMENT');

    await deliver(shop, 'orders', 'shop.payment.completed.v1', orderId, { paymentId: randomUUID(), customerId: 'interleaving', amount: 800, currency: 'EUR' });
    const order = await client.order(orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
    expect(order.history.map((change: { status: string; causedByEventId: string | null }) => [change.status, change.causedByEventId === null])).toEqual([
      ['PLACED', true],
      ['AWAITING_PAYMENT', false],
      ['CANCELLED', true],
    ]);
    expect(await publishedTypes(db, 'orders', orderId)).toEqual(['shop.order.placed.v1', 'shop.order.cancelled.v1']);
  });
});

describe('billing numbers invoices in date order', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    shop = await startShop(['billing']);
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  it('regression: invoices issued at the same moment carry numbers in the order of their dates', async () => {
    const orderIds = Array.from({ length: 12 }, () => randomUUID());
    await Promise.all(
      orderIds.map((orderId) =>
        deliver(shop, 'billing', 'shop.order.confirmed.v1', orderId, { customerId: 'interleaving', paymentId: randomUUID(), amount: 100, currency: 'EUR', lines: [{ sku: 'SKU-ANY', quantity: 1 }] }),
      ),
    );
    const invoices: { number: string; issuedAt: string }[] = [];
    for (const orderId of orderIds) invoices.push(...(await client.recordsWhen('billing', '/invoices', orderId, 1)));
    const byNumber = [...invoices].sort((a, b) => a.number.localeCompare(b.number));
    const dates = byNumber.map((invoice) => Date.parse(invoice.issuedAt));
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    expect(byNumber.map((invoice) => Number(invoice.number.split('-').at(-1)))).toEqual(byNumber.map((_, index) => index + 1));
    expect(byNumber.every((invoice) => invoice.number.startsWith(`INV-${new Date(invoice.issuedAt).getUTCFullYear()}-`))).toBe(true);
  });

  describe('on a replica whose clock is years ahead', () => {
    let db: Client;

    beforeAll(async () => {
      db = await connect(shop.env);
    });

    afterEach(() => jest.useRealTimers());

    afterAll(() => db?.end());

    it('regression: dates the invoice and picks its year series by the database clock, not its own', async () => {
      // Only the clock is skewed (it runs on from 2031); timers stay real.
      jest.useFakeTimers({ now: new Date('2031-01-01T00:00:00Z'), advanceTimers: true, doNotFake: ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'nextTick', 'queueMicrotask'] });
      const orderId = randomUUID();
      await deliver(shop, 'billing', 'shop.order.confirmed.v1', orderId, { customerId: 'interleaving', paymentId: randomUUID(), amount: 100, currency: 'EUR', lines: [{ sku: 'SKU-ANY', quantity: 1 }] });
      jest.useRealTimers();
      const [invoice] = await client.recordsWhen('billing', '/invoices', orderId, 1);
      const { rows } = await db.query(`SELECT extract(year FROM now() AT TIME ZONE 'UTC')::int AS year, extract(epoch FROM now() - $1::timestamptz) AS age`, [invoice.issuedAt]);
      expect(invoice.number).toMatch(new RegExp(`^INV-${rows[0].year}-\\d{6}$`));
      expect(Math.abs(Number(rows[0].age))).toBeLessThan(60);
    });
  });
});
