import { allShopServices, startShop, type RunningShop } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

describe('placing an order with an Idempotency-Key', () => {
  let shop: RunningShop;
  let client: ShopClient;
  let sku: string;

  beforeAll(async () => {
    shop = await startShop(allShopServices);
    client = new ShopClient(shop);
    sku = await client.stockedSku(1_000);
  });

  afterAll(() => shop?.stop());

  const post = (body: object, key: string) => client.http('orders').post('/orders').set('Idempotency-Key', key).send(body);
  const ordersOf = async (customerId: string) => (await client.http('orders').get('/orders').query({ customerId }).expect(200)).body;

  it('answers a retry with the first answer and places one order', async () => {
    const body = anOrder([{ sku, quantity: 1, unitPrice: 500 }]);
    const key = unique('key');
    const first = await post(body, key).expect(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    // The same body, its keys in another order, as a client library might serialise a retry.
    const retry = await post({ items: body.items, currency: body.currency, customerId: body.customerId }, key).expect(202);
    expect(retry.text).toBe(first.text);
    expect(retry.headers['idempotent-replayed']).toBe('true');

    await client.orderIn(first.body.orderId, 'SHIPPED');
    expect(await ordersOf(body.customerId)).toHaveLength(1);
    expect(await client.recordsOf('payments', '/payments', first.body.orderId)).toHaveLength(1);
  });

  it('places one order when retries race each other', async () => {
    const body = anOrder([{ sku, quantity: 1, unitPrice: 500 }]);
    const key = unique('key');
    const responses = await Promise.all([1, 2, 3, 4].map(() => post(body, key)));
    expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202]);
    expect(new Set(responses.map((response) => response.body.orderId)).size).toBe(1);
    expect(await ordersOf(body.customerId)).toHaveLength(1);
  });

  it('refuses the same key with a different body (422), and places nothing', async () => {
    const body = anOrder([{ sku, quantity: 1, unitPrice: 500 }]);
    const key = unique('key');
    await post(body, key).expect(202);
    const response = await post({ ...body, items: [{ sku, quantity: 2, unitPrice: 500 }] }, key).expect(422);
    expect(response.body.message).toMatch(/different request body/);
    expect(await ordersOf(body.customerId)).toHaveLength(1);
  });

  it('treats different keys as different orders, and no key as a new order every time', async () => {
    const body = anOrder([{ sku, quantity: 1, unitPrice: 500 }]);
    await post(body, unique('key')).expect(202);
    await post(body, unique('key')).expect(202);
    await client.http('orders').post('/orders').send(body).expect(202);
    expect(await ordersOf(body.customerId)).toHaveLength(3);
  });

  it('answers 400 naming the header when the key is malformed', async () => {
    const body = anOrder([{ sku, quantity: 1, unitPrice: 500 }]);
    const response = await post(body, 'x'.repeat(300)).expect(400);
    expect(response.body.message).toEqual([expect.stringMatching(/^Idempotency-Key/)]);
    expect(await ordersOf(body.customerId)).toHaveLength(0);
  });
});
