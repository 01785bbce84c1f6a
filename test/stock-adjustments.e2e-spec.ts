import { startShop, type RunningShop } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

describe('operators changing stock', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    // Orders and inventory only: a placed order is held and stays held (nothing pays for it).
    shop = await startShop(['orders', 'inventory']);
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  const adjust = (sku: string, body: object) => client.http('inventory').post(`/stock/${sku}/adjustments`).send(body);

  it('regression: a stock change made from a reading taken before a reservation neither loses nor invents the held units', async () => {
    const sku = await client.stockedSku(5);
    // The operator reads 5 on the shelf and means to add a delivery of 10...
    expect(await client.stock(sku)).toEqual({ available: 5, reserved: 0 });
    // ...while an order holds 2 of them.
    const orderId = await client.placeOrder(anOrder([{ sku, quantity: 2, unitPrice: 100 }]));
    await client.orderIn(orderId, 'AWAITING_PAYMENT');
    // An absolute write of 15 would have handed the 2 held units out a second time; the change is relative.
    await client.http('inventory').put(`/stock/${sku}`).send({ available: 15 }).expect(404);
    const { body } = await adjust(sku, { delta: 10, reason: 'delivery' }).expect(201);
    expect(body).toMatchObject({ sku, available: 13, reserved: 2 });
  });

  it('refuses with 409 a change that would take what is available below zero, and changes nothing', async () => {
    const sku = await client.stockedSku(3);
    const orderId = await client.placeOrder(anOrder([{ sku, quantity: 2, unitPrice: 100 }]));
    await client.orderIn(orderId, 'AWAITING_PAYMENT');
    const { body } = await adjust(sku, { delta: -2, reason: 'breakage' }).expect(409);
    expect(body.message).toBe(`SKU ${sku} has 1 available (and 2 held for orders, which an adjustment never touches): a change of -2 would leave -1`);
    expect(await client.stock(sku)).toEqual({ available: 1, reserved: 2 });
    // Down to zero is fine; the held units stay held.
    await adjust(sku, { delta: -1, reason: 'breakage' }).expect(201);
    expect(await client.stock(sku)).toEqual({ available: 0, reserved: 2 });
  });

  it('creates a SKU with its first delivery, and refuses to create one by taking stock away', async () => {
    const sku = unique('SKU');
    await adjust(sku, { delta: -1, reason: 'stock take' }).expect(409);
    await client.http('inventory').get(`/stock/${sku}`).expect(404);
    const { body } = await adjust(sku, { delta: 7, reason: 'first delivery' }).expect(201);
    expect(body).toMatchObject({ sku, available: 7, reserved: 0 });
  });

  it.each([
    [{ delta: 0, reason: 'nothing' }, /^delta must not be 0/],
    [{ delta: 1.5, reason: 'half' }, /^delta must be an integer/],
    [{ delta: '3', reason: 'text' }, /^delta must be an integer/],
    [{ delta: 1_000_000_001, reason: 'too many' }, /^delta must not be greater than/],
    [{ delta: 1 }, /^reason must be/],
    [{ delta: 1, reason: '' }, /^reason must be longer than or equal to 1/],
    [{ delta: 1, reason: 'x'.repeat(201) }, /^reason must be shorter than or equal to 200/],
  ])('answers 400 naming the field for %j', async (request, names) => {
    const sku = await client.stockedSku(1);
    const { body } = await adjust(sku, request).expect(400);
    expect(body.message).toEqual(expect.arrayContaining([expect.stringMatching(names)]));
    expect(await client.stock(sku)).toEqual({ available: 1, reserved: 0 });
  });

  it('regression: a fresh database holds no stock (demo stock is the local stack’s, never a migration’s)', async () => {
    for (const sku of ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4', 'SKU-5', 'SKU-RARE']) await client.http('inventory').get(`/stock/${sku}`).expect(404);
  });
});
