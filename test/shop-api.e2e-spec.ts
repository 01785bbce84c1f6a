import { waitFor } from '@app/messaging/testing';
import { allShopServices, startShop, type RunningShop } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

const UNKNOWN_ID = '6f1c2b1e-4d3a-4e2f-9b1c-0a1b2c3d4e5f';

describe('the shop HTTP APIs', () => {
  let shop: RunningShop;
  let client: ShopClient;
  let sku: string;

  beforeAll(async () => {
    shop = await startShop(allShopServices);
    client = new ShopClient(shop);
    sku = await client.stockedSku(1_000);
  });

  afterAll(() => shop?.stop());

  it('makes up a correlation id when the caller sends none, echoes it, and carries it along', async () => {
    const response = await client.http('orders').post('/orders').send(anOrder([{ sku, quantity: 1, unitPrice: 100 }])).expect(202);
    const correlationId = response.headers['x-correlation-id'];
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const order = await client.orderIn(response.body.orderId, 'SHIPPED');
    expect(order.correlationId).toBe(correlationId);
  });

  it('lists a customer’s orders newest first', async () => {
    const customerId = unique('customer');
    const first = await client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 100 }], { customerId }));
    const second = await client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 100 }], { customerId }));
    const { body } = await client.http('orders').get('/orders').query({ customerId }).expect(200);
    expect(body.map((order: { orderId: string }) => order.orderId)).toEqual([second, first]);
    expect(body[0]).toMatchObject({ customerId, currency: 'EUR', total: 100 });

    const { body: limited } = await client.http('orders').get('/orders').query({ customerId, limit: 1 }).expect(200);
    expect(limited.map((order: { orderId: string }) => order.orderId)).toEqual([second]);
  });

  it('answers 400 naming the bad query parameters of a listing', async () => {
    const { body } = await client.http('orders').get('/orders').query({ limit: 0 }).expect(400);
    expect(body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^customerId/), expect.stringMatching(/^limit/)]));
  });

  it('answers 400 naming each bad field of an order, and creates nothing', async () => {
    const customerId = unique('customer');
    const response = await client
      .http('orders')
      .post('/orders')
      .send({ customerId, currency: 'EURO', items: [{ sku: 'A', quantity: 0, unitPrice: 1.5 }], extra: true })
      .expect(400);
    expect(response.body.message).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^currency/),
        expect.stringMatching(/^items\.0\.quantity/),
        expect.stringMatching(/^items\.0\.unitPrice/),
        expect.stringMatching(/extra should not exist/),
      ]),
    );
    const { body: orders } = await client.http('orders').get('/orders').query({ customerId }).expect(200);
    expect(orders).toEqual([]);
  });

  it('answers 404 for unknown records and 400 for malformed ids', async () => {
    await client.http('orders').get(`/orders/${UNKNOWN_ID}`).expect(404);
    await client.http('orders').get('/orders/not-a-uuid').expect(400);
    await client.http('billing').get(`/invoices/${UNKNOWN_ID}`).expect(404);
    await client.http('billing').get('/invoices/not-a-uuid').expect(400);
    await client.http('billing').get('/invoices').query({ orderId: 'nope' }).expect(400);
    await client.http('inventory').get(`/stock/${unique('SKU-NONE')}`).expect(404);
  });

  it('serves OpenAPI docs for every service', async () => {
    for (const service of allShopServices) {
      await waitFor(async () => (await client.http(service).get('/docs').redirects(1)).status === 200 || undefined, { what: `${service} docs` });
    }
  });
});
