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
