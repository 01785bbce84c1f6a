import { DATABASE_OUTAGE_RETRY_AFTER_SECONDS } from '@app/messaging';
import { STACK_ENV, TcpProxy, waitFor } from '@app/messaging/testing';
import { dereferenced, operationFor, responseMismatch, type ApiCall, type Document } from './support/openapi-conformance';
import { startShop, type RunningShop, type ShopServiceName } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

/**
 * Regression: with its database stopped, a service answered 500 Internal Server Error, which tells
 * clients and load balancers that the request is at fault and not worth retrying. It must be 503
 * with Retry-After, and back to normal once the database is.
 *
 * The services reach the shared Postgres through a proxy that the spec closes: to them the database
 * is gone (connections reset, new ones refused), while the other specs keep theirs.
 */
describe('a database outage at the HTTP edge', () => {
  let database: TcpProxy;
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    database = await TcpProxy.start({ host: '127.0.0.1', port: Number(process.env[STACK_ENV.pgPort]) });
    shop = await startShop(['orders', 'billing'], { PGPORT: String(database.port) });
    client = new ShopClient(shop);
  });

  afterAll(async () => {
    await database?.restore().catch(() => undefined);
    await shop?.stop();
    await database?.stop();
  });

  it('regression: answers 503 with Retry-After, not 500, while the database is away, on reads and writes of every service, and serves again once it is back', async () => {
    const customerId = unique('customer');
    const order = () => anOrder([{ sku: 'SKU-1', quantity: 1, unitPrice: 100 }], { customerId });
    const calls = {
      'GET /orders': () => client.http('orders').get('/orders').query({ customerId }),
      'POST /orders': () => client.http('orders').post('/orders').send(order()),
      'GET /invoices': () => client.http('billing').get('/invoices').query({ orderId: '6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b' }),
    };
    const documented: Record<keyof typeof calls, [ShopServiceName, Pick<ApiCall, 'method' | 'path'>]> = {
      'GET /orders': ['orders', { method: 'get', path: '/orders' }],
      'POST /orders': ['orders', { method: 'post', path: '/orders' }],
      'GET /invoices': ['billing', { method: 'get', path: '/invoices' }],
    };
    const documents = new Map<ShopServiceName, Document>();
    for (const service of ['orders', 'billing'] as const) documents.set(service, await dereferenced((await client.http(service).get('/docs-json').expect(200)).body));
    await calls['GET /orders']().expect(200);

    await database.cut();
    try {
      for (const [route, call] of Object.entries(calls) as [keyof typeof calls, () => ReturnType<typeof calls['GET /orders']>][]) {
        const response = await call();
        // The answer is the one the service's OpenAPI document promises, Retry-After included.
        const [service, where] = documented[route];
        const operation = operationFor(documents.get(service) as Document, where);
        expect({ route, mismatch: operation && responseMismatch(operation, response.status, response.body) }).toEqual({ route, mismatch: undefined });
        expect(Object.keys((operation?.responses['503'] as { headers?: object } | undefined)?.headers ?? {})).toContain('Retry-After');
        expect({ route, status: response.status, retryAfter: response.headers['retry-after'], body: response.body }).toEqual({
          route,
          status: 503,
          retryAfter: String(DATABASE_OUTAGE_RETRY_AFTER_SECONDS),
          body: { statusCode: 503, error: 'Service Unavailable', message: 'The database is unreachable; retry later' },
        });
      }
    } finally {
      await database.restore();
    }

    await waitFor(async () => ((await calls['GET /orders']()).status === 200 ? true : undefined), { what: 'orders to serve again once the database is back' });
    await calls['POST /orders']().expect(202);
  });

  it('leaves every other answer as it was: a missing order is still a 404, without Retry-After', async () => {
    const response = await client.http('orders').get(`/orders/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`);
    expect(response.status).toBe(404);
    expect(response.headers['retry-after']).toBeUndefined();
  });
});
