import { createCloudEvent } from '@app/messaging';
import { randomUUID } from 'node:crypto';
import { sendToQueue } from '../support/broker';
import { startShop, type RunningShop } from '../support/shop';
import { ShopClient } from '../support/shop-client';

/** Bugs the reliability suites found at the HTTP edge, each pinned by the test named after it. */
describe('regressions found by the bad-input suite', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    shop = await startShop(['orders', 'billing']);
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  it('regression: a customer id holding a NUL character is a 400 naming it, not a 500 from Postgres', async () => {
    const order = { customerId: 'nul\u0000byte', currency: 'EUR', items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 100 }] };
    const placed = await client.http('orders').post('/orders').send(order).expect(400);
    expect(placed.body.message).toEqual(['customerId must not contain the NUL character (U+0000)']);
    const listed = await client.http('orders').get('/orders').query({ customerId: '\u0000' }).expect(400);
    expect(listed.body.message).toEqual(['customerId must not contain the NUL character (U+0000)']);
  });

  it('regression: a malformed id in the path is a 400 naming the id, like every other bad parameter', async () => {
    const order = await client.http('orders').get('/orders/not-a-uuid').expect(400);
    expect(order.body.message).toEqual(['id must be a UUID (version 4)']);
    const invoice = await client.http('billing').get(`/invoices/${encodeURIComponent("' OR 1=1 --")}`).expect(400);
    expect(invoice.body.message).toEqual(['id must be a UUID']);
  });
});

describe('regressions found by the chaos run', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    // Holds lapse after a second, are swept at once, ten times a second.
    shop = await startShop(['inventory'], { RESERVATION_TTL_SECONDS: '1', RESERVATION_EXPIRY_GRACE_SECONDS: '0', RESERVATION_SWEEP_INTERVAL_MS: '100' });
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  const deliver = (type: string, orderId: string, data: Record<string, unknown>) =>
    sendToQueue(shop.env, 'inventory', JSON.stringify(createCloudEvent({ source: '/regression', type, subject: orderId, data: { orderId, ...data }, correlationId: `regression-${orderId}` })));

  it('regression: a payment reported after the sweep lapsed its hold takes the shipped goods off the shelf again', async () => {
    const sku = await client.stockedSku(10);
    const orderId = randomUUID();
    const lines = [{ sku, quantity: 3, unitPrice: 500 }];
    await deliver('shop.order.placed.v1', orderId, { customerId: 'regression', currency: 'EUR', lines, total: 1500 });
    await client.recordsWhen('inventory', '/reservations', orderId, 1, (reservation) => reservation.status === 'EXPIRED');
    await client.stockBackTo(sku, 10);

    // The charge started in time, but its report reaches inventory only now (inventory was down, say);
    // shipping acts on it and sends the goods, so they must leave the shelf.
    await deliver('shop.payment.completed.v1', orderId, { paymentId: randomUUID(), customerId: 'regression', amount: 1500, currency: 'EUR' });
    await client.recordsWhen('inventory', '/reservations', orderId, 1, (reservation) => reservation.status === 'COMMITTED');
    expect(await client.available(sku)).toBe(7);
  });
});

