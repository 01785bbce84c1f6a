import { waitFor } from '@app/messaging/testing';
import { randomUUID } from 'node:crypto';
import {
  documentProblems,
  dereferenced,
  operationFor,
  operationKey,
  operations,
  probesFor,
  responseMismatch,
  send,
  undocumentedInputs,
  type ApiCall,
  type Document,
} from './support/openapi-conformance';
import { allShopServices, startShop, type RunningShop, type ShopServiceName } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

/**
 * Each service's served OpenAPI document says what its server does. Regressions: the documents
 * left out the required `orderId` of five list routes, declared integers as `number`, omitted the
 * bounds the server enforces, typed `cancellationReason` as an object, listed admin routes that
 * answer 404 under a `bearer` scheme they never declared, and mentioned no 413.
 *
 * Every documented operation is exercised here (and every exercise is documented), each real
 * answer is checked against the documented status codes and schemas, and the documented input
 * rules are probed on the server at and past their bounds. A drift fails naming the route.
 */

interface Fixtures {
  shipped: { orderId: string; customerId: string; sku: string; invoiceId: string };
  /** Orders that ended CANCELLED: out of stock (a reservation with missing lines) and declined. */
  outOfStock: string;
  declined: string;
}

/** Valid requests of every route, with the answer each gets; the probes start from the first of each operation. */
function exercises(fixtures: Fixtures): Record<ShopServiceName, { call: ApiCall; status: number }[]> {
  const unknownId = randomUUID();
  const { shipped } = fixtures;
  const orderBody = anOrder([{ sku: shipped.sku, quantity: 1, unitPrice: 1999 }]);
  return {
    orders: [
      { call: { method: 'post', path: '/orders', body: orderBody }, status: 202 },
      { call: { method: 'post', path: '/orders', body: { ...orderBody, padding: 'x'.repeat(65 * 1024) } }, status: 413 },
      { call: { method: 'get', path: '/orders', query: { customerId: shipped.customerId, limit: 5 } }, status: 200 },
      { call: { method: 'get', path: '/orders/{id}', params: { id: shipped.orderId } }, status: 200 },
      { call: { method: 'get', path: '/orders/{id}', params: { id: fixtures.outOfStock } }, status: 200 },
      { call: { method: 'get', path: '/orders/{id}', params: { id: unknownId } }, status: 404 },
    ],
    inventory: [
      { call: { method: 'get', path: '/stock/{sku}', params: { sku: shipped.sku } }, status: 200 },
      { call: { method: 'get', path: '/stock/{sku}', params: { sku: 'SKU-NEVER-STOCKED' } }, status: 404 },
      { call: { method: 'post', path: '/stock/{sku}/adjustments', params: { sku: `SKU-${randomUUID()}` }, body: { delta: 10, reason: 'delivery' } }, status: 201 },
      { call: { method: 'post', path: '/stock/{sku}/adjustments', params: { sku: `SKU-${randomUUID()}` }, body: { delta: -1, reason: 'stock take' } }, status: 409 },
      { call: { method: 'post', path: '/stock/{sku}/adjustments', params: { sku: 'SKU-LARGE' }, body: { delta: 1, reason: 'r', padding: 'x'.repeat(65 * 1024) } }, status: 413 },
      { call: { method: 'get', path: '/reservations', query: { orderId: shipped.orderId } }, status: 200 },
      { call: { method: 'get', path: '/reservations', query: { orderId: fixtures.outOfStock } }, status: 200 },
    ],
    payments: [
      { call: { method: 'get', path: '/payments', query: { orderId: shipped.orderId } }, status: 200 },
      { call: { method: 'get', path: '/payments', query: { orderId: fixtures.declined } }, status: 200 },
      { call: { method: 'get', path: '/refunds', query: { orderId: fixtures.declined } }, status: 200 },
    ],
    billing: [
      { call: { method: 'get', path: '/invoices', query: { orderId: shipped.orderId } }, status: 200 },
      { call: { method: 'get', path: '/invoices/{id}', params: { id: shipped.invoiceId } }, status: 200 },
      { call: { method: 'get', path: '/invoices/{id}', params: { id: unknownId } }, status: 404 },
    ],
    shipping: [{ call: { method: 'get', path: '/shipments', query: { orderId: shipped.orderId } }, status: 200 }],
    notifications: [{ call: { method: 'get', path: '/notifications', query: { orderId: shipped.orderId } }, status: 200 }],
  };
}

describe('the OpenAPI documents', () => {
  let shop: RunningShop;
  let client: ShopClient;
  let fixtures: Fixtures;
  const documents = new Map<ShopServiceName, { served: Document; resolved: Document }>();

  beforeAll(async () => {
    // Admin routes exist here (OPS_TOKEN set), so leaving them out of the documents is a choice, not an accident.
    shop = await startShop(allShopServices, { OPS_TOKEN: 'openapi-suite-ops-token-0123456789' });
    client = new ShopClient(shop);
    for (const service of allShopServices) {
      const { body } = await client.http(service).get('/docs-json').expect(200);
      documents.set(service, { served: body as Document, resolved: await dereferenced(body as Document) });
    }
    const sku = await client.stockedSku(100);
    const customerId = `openapi-${randomUUID()}`;
    const orderId = await client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 1999 }], { customerId }));
    // In the same customer's list as the shipped one, so the list shows a cancellation reason too.
    const outOfStock = await client.placeOrder(anOrder([{ sku: unique('SKU-NEVER-STOCKED'), quantity: 1, unitPrice: 100 }], { customerId }));
    const declined = await client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 250_000 }]));
    await Promise.all([client.orderIn(orderId, 'SHIPPED'), client.orderIn(outOfStock, 'CANCELLED'), client.orderIn(declined, 'CANCELLED')]);
    const [invoice] = await client.recordsWhen('billing', '/invoices', orderId, 1);
    await client.recordsWhen('shipping', '/shipments', orderId, 1);
    await waitFor(async () => ((await client.recordsOf('notifications', '/notifications', orderId)).length > 0 ? true : undefined), {
      what: `a notification about ${orderId}`,
    });
    fixtures = { shipped: { orderId, customerId, sku, invoiceId: invoice.id as string }, outOfStock, declined };
  });

  afterAll(() => shop?.stop());

  const documentOf = (service: ShopServiceName) => {
    const document = documents.get(service);
    if (!document) throw new Error(`no document of ${service}`);
    return document;
  };

  describe.each(allShopServices)('of %s', (service) => {
    it('is a valid OpenAPI document', async () => {
      expect(await documentProblems(documentOf(service).served)).toEqual([]);
    });

    it('documents exactly the routes exercised here: none missing, none that does not exist', () => {
      const documented = operations(documentOf(service).served).map(([key]) => key);
      const exercised = [...new Set(exercises(fixtures)[service].map(({ call }) => operationKey(call)))];
      expect({ service, documented: documented.sort() }).toEqual({ service, documented: exercised.sort() });
    });

    it('documents every answer the server gives, status and body', async () => {
      const { resolved } = documentOf(service);
      const mismatches: string[] = [];
      for (const { call, status } of exercises(fixtures)[service]) {
        const response = await send(shop.http(service), call);
        const operation = operationFor(resolved, call);
        const hidden = operation && status < 400 ? undocumentedInputs(operation, call) : [];
        const problem =
          response.status !== status
            ? `answered ${response.status}, the exercise expects ${status}`
            : !operation
              ? 'is not documented'
              : hidden.length > 0
                ? `takes input the document does not mention: ${hidden.join(', ')}`
                : responseMismatch(operation, response.status, response.body);
        if (problem) mismatches.push(`${operationKey(call)} ${problem}`);
      }
      expect(mismatches).toEqual([]);
    });

    it('documents the input rules the server enforces: invalid by the document is a 400, valid at the bounds is not', async () => {
      const { resolved } = documentOf(service);
      const drifts: string[] = [];
      const firstOfEach = new Map(exercises(fixtures)[service].filter(({ status }) => status < 300).map(({ call }) => [operationKey(call), call]));
      let probed = 0;
      for (const [key, valid] of firstOfEach) {
        const operation = operationFor(resolved, valid);
        if (!operation) continue;
        for (const probe of probesFor(operation, valid)) {
          probed++;
          const response = await send(shop.http(service), probe.call);
          const mismatch = responseMismatch(operation, response.status, response.body);
          const drift =
            probe.expect === 'reject'
              ? response.status !== 400 && `answered ${response.status}, not 400, though the document calls it invalid`
              : (response.status === 400 || response.status >= 500) &&
                `answered ${response.status} (${JSON.stringify(response.body?.message)}), though the document allows it: the server enforces a rule the document omits`;
          if (drift) drifts.push(`${key} with ${probe.what}: ${drift}`);
          else if (mismatch) drifts.push(`${key} with ${probe.what}: ${mismatch}`);
        }
      }
      expect(drifts).toEqual([]);
      if (firstOfEach.size > 0) expect(probed).toBeGreaterThan(0);
    });
  });

  it('leaves out the operator routes, which exist only where OPS_TOKEN is set, and declares no security it does not define', () => {
    for (const service of allShopServices) {
      const { served } = documentOf(service);
      expect({ service, admin: Object.keys(served.paths).filter((path) => path.startsWith('/admin')) }).toEqual({ service, admin: [] });
    }
  });
});
