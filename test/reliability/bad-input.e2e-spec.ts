import fc from 'fast-check';
import { allShopServices, startShop, type RunningShop, type ShopServiceName } from '../support/shop';
import { ShopClient } from '../support/shop-client';
import { DatabaseState } from './support/database-state';

/** A body the shop accepts; each case below spoils one part of it. */
const validOrder = () => ({ customerId: 'bad-input-customer', currency: 'EUR', items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 100 }] });
const withItem = (item: Record<string, unknown>) => ({ ...validOrder(), items: [{ ...validOrder().items[0], ...item }] });

const INJECTIONS = [`'; DROP TABLE orders;--`, `" OR "1"="1`, `<script>alert(1)</script>`, '${7*7}', '../../etc/passwd', 'SKU-1\nX-Injected: yes'];

interface BadRequest {
  case: string;
  /** An object is sent as JSON; a string is sent as it is, with `contentType`. */
  body: unknown;
  contentType?: string;
  status?: number;
  /** What the answer must name: the offending field (or header). */
  names: RegExp;
}

const badOrders: BadRequest[] = [
  { case: 'customerId missing', body: { currency: 'EUR', items: validOrder().items }, names: /^customerId/ },
  { case: 'currency missing', body: { customerId: 'c', items: validOrder().items }, names: /^currency/ },
  { case: 'items missing', body: { customerId: 'c', currency: 'EUR' }, names: /^items/ },
  { case: 'customerId a number', body: { ...validOrder(), customerId: 42 }, names: /^customerId must be a string/ },
  { case: 'customerId a NoSQL operator', body: { ...validOrder(), customerId: { $gt: '' } }, names: /^customerId must be a string/ },
  { case: 'customerId an array', body: { ...validOrder(), customerId: ['a', 'b'] }, names: /^customerId must be a string/ },
  { case: 'customerId empty', body: { ...validOrder(), customerId: '' }, names: /^customerId/ },
  { case: 'customerId too long', body: { ...validOrder(), customerId: 'x'.repeat(101) }, names: /^customerId/ },
  { case: 'currency not ISO 4217', body: { ...validOrder(), currency: 'EURO' }, names: /^currency/ },
  { case: 'currency an injection', body: { ...validOrder(), currency: INJECTIONS[0] }, names: /^currency/ },
  { case: 'items an object', body: { ...validOrder(), items: { sku: 'SKU-1', quantity: 1, unitPrice: 1 } }, names: /^items/ },
  { case: 'items empty', body: { ...validOrder(), items: [] }, names: /^items must contain at least 1/ },
  { case: 'items over 100', body: { ...validOrder(), items: Array.from({ length: 101 }, () => validOrder().items[0]) }, names: /^items must contain no more than 100/ },
  { case: 'item null', body: { ...validOrder(), items: [null] }, names: /^items/ },
  { case: 'item empty', body: { ...validOrder(), items: [{}] }, names: /^items\.0\.(sku|quantity|unitPrice)/ },
  { case: 'quantity negative', body: withItem({ quantity: -1 }), names: /^items\.0\.quantity must not be less than 1/ },
  { case: 'quantity zero', body: withItem({ quantity: 0 }), names: /^items\.0\.quantity/ },
  { case: 'quantity over 1000', body: withItem({ quantity: 1001 }), names: /^items\.0\.quantity/ },
  { case: 'quantity fractional', body: withItem({ quantity: 1.5 }), names: /^items\.0\.quantity must be an integer/ },
  { case: 'quantity a numeric string', body: withItem({ quantity: '2' }), names: /^items\.0\.quantity/ },
  { case: 'quantity null', body: withItem({ quantity: null }), names: /^items\.0\.quantity/ },
  { case: 'quantity huge', body: withItem({ quantity: 1e308 }), names: /^items\.0\.quantity/ },
  { case: 'unitPrice negative', body: withItem({ unitPrice: -1 }), names: /^items\.0\.unitPrice/ },
  { case: 'unitPrice fractional', body: withItem({ unitPrice: 19.99 }), names: /^items\.0\.unitPrice/ },
  { case: 'unitPrice over the maximum', body: withItem({ unitPrice: 100_000_001 }), names: /^items\.0\.unitPrice/ },
  { case: 'unitPrice a NoSQL operator', body: withItem({ unitPrice: { $gt: 0 } }), names: /^items\.0\.unitPrice/ },
  ...INJECTIONS.map((sku) => ({ case: `sku ${JSON.stringify(sku)}`, body: withItem({ sku }), names: /^items\.0\.sku must be 1-64 letters/ })),
  { case: 'sku unicode', body: withItem({ sku: 'ŠKU-ünï-☃' }), names: /^items\.0\.sku must be 1-64 letters/ },
  { case: 'sku empty', body: withItem({ sku: '' }), names: /^items\.0\.sku must be 1-64 letters/ },
  { case: 'sku 65 characters', body: withItem({ sku: 'S'.repeat(65) }), names: /^items\.0\.sku must be 1-64 letters/ },
  { case: 'sku an object', body: withItem({ sku: { $ne: null } }), names: /^items\.0\.sku must be a string/ },
  { case: 'unknown top-level field', body: { ...validOrder(), discount: 100 }, names: /^property discount should not exist/ },
  { case: 'unknown field in an item', body: withItem({ discount: 100 }), names: /^items\.0\.property discount should not exist/ },
  { case: 'status smuggled in', body: { ...validOrder(), status: 'SHIPPED' }, names: /^property status should not exist/ },
  { case: 'customerId holding NUL', body: { ...validOrder(), customerId: 'nul\u0000byte' }, names: /^customerId must not contain the NUL/ },
  { case: 'body an array', body: [validOrder()], names: /customerId/ },
  { case: 'body a string', body: '"place an order"', contentType: 'application/json', names: /./ },
  { case: 'body null', body: 'null', contentType: 'application/json', names: /./ },
  { case: 'body not JSON', body: '{"customerId":', contentType: 'application/json', names: /JSON/i },
  { case: 'body as text/plain', body: JSON.stringify(validOrder()), contentType: 'text/plain', names: /^customerId/ },
  { case: 'body over the size limit', body: { ...validOrder(), padding: 'x'.repeat(70 * 1024) }, status: 413, names: /too large/i },
];

const badStock: BadRequest[] = [
  { case: 'delta missing', body: { reason: 'r' }, names: /^delta/ },
  { case: 'delta zero', body: { delta: 0, reason: 'r' }, names: /^delta must not be 0/ },
  { case: 'delta fractional', body: { delta: 2.5, reason: 'r' }, names: /^delta must be an integer/ },
  { case: 'delta a numeric string', body: { delta: '5', reason: 'r' }, names: /^delta/ },
  { case: 'delta null', body: { delta: null, reason: 'r' }, names: /^delta/ },
  { case: 'delta over the maximum', body: { delta: 1e10, reason: 'r' }, names: /^delta must not be greater than/ },
  { case: 'delta under the minimum', body: { delta: -1e10, reason: 'r' }, names: /^delta must not be less than/ },
  { case: 'delta a NoSQL operator', body: { delta: { $gt: 0 }, reason: 'r' }, names: /^delta/ },
  { case: 'delta an injection', body: { delta: INJECTIONS[0], reason: 'r' }, names: /^delta/ },
  { case: 'reason missing', body: { delta: 1 }, names: /^reason/ },
  { case: 'reason holding NUL', body: { delta: 1, reason: 'a\u0000b' }, names: /^reason must not contain the NUL/ },
  { case: 'unknown field', body: { delta: 5, reason: 'r', sku: 'OTHER' }, names: /^property sku should not exist/ },
  { case: 'body not JSON', body: '{"delta":', contentType: 'application/json', names: /JSON/i },
  { case: 'body over the size limit', body: { delta: 1, reason: 'r', padding: 'x'.repeat(70 * 1024) }, status: 413, names: /too large/i },
];

const badSkus = [...INJECTIONS.filter((sku) => !sku.includes('/')), 'ŠKU', 'S'.repeat(65), '.hidden', '-dash-first', 'a b'];

/** Query parameters and path ids of every read endpoint, each with what the answer must name. */
const badQueries: { service: ShopServiceName; path: string; names: RegExp }[] = [
  { service: 'orders', path: '/orders', names: /^customerId/ },
  { service: 'orders', path: '/orders?customerId=', names: /^customerId must be longer/ },
  { service: 'orders', path: '/orders?customerId=a&customerId=b', names: /^customerId must be a string/ },
  { service: 'orders', path: '/orders?customerId[$gt]=', names: /customerId/ },
  { service: 'orders', path: '/orders?customerId=%00', names: /^customerId must not contain the NUL/ },
  { service: 'orders', path: '/orders?customerId=a&limit=abc', names: /^limit/ },
  { service: 'orders', path: '/orders?customerId=a&limit=0', names: /^limit must not be less than 1/ },
  { service: 'orders', path: '/orders?customerId=a&limit=101', names: /^limit must not be greater than 100/ },
  { service: 'orders', path: '/orders?customerId=a&limit=1.5', names: /^limit must be an integer/ },
  { service: 'orders', path: `/orders?customerId=a&limit=${encodeURIComponent('1; DROP TABLE orders')}`, names: /^limit/ },
  { service: 'orders', path: '/orders?customerId=a&sort=status', names: /^property sort should not exist/ },
  { service: 'orders', path: '/orders/not-a-uuid', names: /\bid\b/ },
  { service: 'orders', path: `/orders/${encodeURIComponent("' OR 1=1 --")}`, names: /\bid\b/ },
  { service: 'inventory', path: '/reservations', names: /^orderId must be a UUID/ },
  { service: 'inventory', path: `/reservations?orderId=${encodeURIComponent("' OR '1'='1")}`, names: /^orderId must be a UUID/ },
  ...badSkus.map((sku) => ({ service: 'inventory' as const, path: `/stock/${encodeURIComponent(sku)}`, names: /^sku must be 1-64 letters/ })),
  { service: 'payments', path: '/payments', names: /^orderId must be a UUID/ },
  { service: 'payments', path: '/payments?orderId[$ne]=x', names: /orderId/ },
  { service: 'payments', path: `/payments?orderId=${encodeURIComponent('<script>alert(1)</script>')}`, names: /^orderId must be a UUID/ },
  { service: 'billing', path: '/invoices?orderId=nope', names: /^orderId must be a UUID/ },
  { service: 'billing', path: '/invoices/not-a-uuid', names: /\bid\b/ },
  { service: 'shipping', path: '/shipments?orderId=1%20OR%201%3D1', names: /^orderId must be a UUID/ },
  { service: 'notifications', path: '/notifications?orderId=', names: /^orderId must be a UUID/ },
];

const messagesOf = (body: { message?: unknown }) => [body?.message].flat().map(String);

/** Values that are never a valid integer in [min, max]: wrong types, fractions, out of range. */
const notAnIntegerIn = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ max: min - 1 }),
    fc.integer({ min: max + 1 }),
    fc.double({ noNaN: true }).filter((value) => !Number.isInteger(value)),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer({ min, max }), { minLength: 1, maxLength: 3 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.jsonValue()),
  );
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.dictionary(fc.constantFrom('$gt', '$ne', '$where'), fc.string()));

/**
 * Order bodies spoiled in one field, by any value that field can never take. (A currency is checked
 * after upper-casing, so 'ſek' is SEK: anything that upper-cases to three letters is left out.)
 */
const spoiledOrders: [string, fc.Arbitrary<Record<string, unknown>>, RegExp][] = [
  ['quantity', notAnIntegerIn(1, 1000).map((quantity) => withItem({ quantity })), /^items\.0\.quantity/],
  ['unitPrice', notAnIntegerIn(0, 100_000_000).map((unitPrice) => withItem({ unitPrice })), /^items\.0\.unitPrice/],
  ['customerId', notAString.map((customerId) => ({ ...validOrder(), customerId })), /^customerId/],
  ['sku', fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }).filter((sku) => !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(sku)).map((sku) => withItem({ sku })), /^items\.0\.sku/],
  ['currency', fc.string({ unit: 'binary', maxLength: 8 }).filter((currency) => !/^[A-Z]{3}$/.test(currency.toUpperCase())).map((currency) => ({ ...validOrder(), currency })), /^currency/],
];

describe('bad input at the HTTP edge', () => {
  // Nothing is ever accepted on this shop, so no event is in flight: any change between two
  // fingerprints is a write made by the refused request itself.
  let shop: RunningShop;
  let client: ShopClient;
  let database: DatabaseState;

  beforeAll(async () => {
    shop = await startShop(allShopServices);
    client = new ShopClient(shop);
    database = await DatabaseState.connect(shop.env);
  });

  afterAll(async () => {
    await database?.close();
    await shop?.stop();
  });

  /** Sends, expects a 4xx whose message names the field, and checks that nothing at all was written. */
  async function refused(send: () => Promise<{ status: number; body: { message?: unknown }; text: string }>, expected: Pick<BadRequest, 'status' | 'names'>) {
    const before = await database.fingerprint();
    const response = await send();
    expect({ status: response.status, body: response.text }).toEqual({ status: expected.status ?? 400, body: expect.any(String) });
    if (!messagesOf(response.body).some((message) => expected.names.test(message))) {
      throw new Error(`${response.status} ${response.text} does not name ${expected.names}`);
    }
    expect(await database.fingerprint()).toEqual(before);
  }

  const send = (service: 'orders' | 'inventory', path: string, request: BadRequest) => () => {
    const call = client.http(service).post(path);
    return typeof request.body === 'string' ? call.set('content-type', request.contentType ?? 'application/json').send(request.body) : call.send(request.body as object);
  };

  it.each(badOrders)('POST /orders refuses $case', async (request) => {
    await refused(send('orders', '/orders', request), request);
  });

  it.each(badStock)('POST /stock/:sku/adjustments refuses $case', async (request) => {
    await refused(send('inventory', '/stock/SKU-1/adjustments', request), request);
  });

  it.each(badSkus)('POST /stock/:sku/adjustments refuses the SKU %j', async (sku) => {
    await refused(() => client.http('inventory').post(`/stock/${encodeURIComponent(sku)}/adjustments`).send({ delta: 5, reason: 'r' }), { names: /^sku must be 1-64 letters/ });
  });

  it.each(badQueries)('GET $path ($service) is refused naming the parameter', async ({ service, path, names }) => {
    await refused(() => client.http(service).get(path), { names });
  });

  it.each(['has space', 'k'.repeat(256), 'clé', ''])('POST /orders refuses the Idempotency-Key %j', async (key) => {
    await refused(() => client.http('orders').post('/orders').set('Idempotency-Key', key).send(validOrder()), { names: /Idempotency-Key/ });
  });

  it.each(spoiledOrders)('POST /orders refuses any invalid %s, naming it, and writes nothing (property)', async (_field, bodies, names) => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        await refused(() => client.http('orders').post('/orders').send(body), { names });
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a hostile correlation id with a 400 naming the header, and does not echo it', async () => {
    for (const hostile of ['<script>alert(1)</script>', 'x'.repeat(10_000), "'; DROP TABLE orders;--"]) {
      const { headers, body } = await client.http('orders').get('/orders').query({ customerId: 'nobody' }).set('x-correlation-id', hostile).expect(400);
      expect(body.message).toEqual([expect.stringMatching(/^x-correlation-id /)]);
      expect(headers['x-correlation-id']).toBeUndefined();
    }
  });
});

describe('hostile text that is valid input', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    shop = await startShop(['orders']);
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  it('is stored verbatim, as data, never as code', async () => {
    for (const customerId of [...INJECTIONS, 'Zoë 山田 🚀', '\u202Eevil', '{"$gt":""}']) {
      const orderId = await client.placeOrder({ ...validOrder(), customerId });
      expect((await client.order(orderId)).customerId).toBe(customerId);
      const { body } = await client.http('orders').get('/orders').query({ customerId }).expect(200);
      expect(body.map((order: { orderId: string }) => order.orderId)).toEqual([orderId]);
    }
  });

  it('never makes POST /orders fail with a 5xx, whatever the customer id holds (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }), async (customerId) => {
        const response = await client.http('orders').post('/orders').send({ ...validOrder(), customerId });
        expect(response.status).toBeLessThan(500);
        if (response.status === 202) expect((await client.order(response.body.orderId)).customerId).toBe(customerId);
      }),
      { numRuns: 60, examples: [['nul\u0000byte'], ['\u0000']] },
    );
  });

  it('pollutes no prototype through a __proto__ member (it is dropped, not refused)', async () => {
    const body = '{"customerId":"c","currency":"EUR","items":[{"sku":"SKU-1","quantity":1,"unitPrice":1}],"__proto__":{"polluted":true}}';
    const response = await client.http('orders').post('/orders').set('content-type', 'application/json').send(body);
    expect([202, 400]).toContain(response.status);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (response.status === 202) expect(await client.order(response.body.orderId)).not.toHaveProperty('polluted');
  });
});
