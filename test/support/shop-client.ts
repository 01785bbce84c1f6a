import { waitFor } from '@app/messaging/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { RunningShop, ShopServiceName } from './shop';

/** An id no other test uses, so tests share a shop without seeing each other's data. */
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export interface OrderRequest {
  customerId: string;
  currency: string;
  items: { sku: string; quantity: number; unitPrice: number }[];
}

/** An order for a customer of its own; pass the lines that matter to the test. */
export const anOrder = (items: OrderRequest['items'], overrides: Partial<OrderRequest> = {}): OrderRequest => ({
  customerId: unique('customer'),
  currency: 'EUR',
  items,
  ...overrides,
});

/** What tests say to the shop, over HTTP only. */
export class ShopClient {
  constructor(private readonly shop: RunningShop) {}

  http(service: ShopServiceName) {
    return request(this.shop.http(service));
  }

  async placeOrder(body: OrderRequest, correlationId = unique('corr')): Promise<string> {
    const response = await this.http('orders').post('/orders').set('x-correlation-id', correlationId).send(body).expect(202);
    return response.body.orderId;
  }

  /** A SKU of the test's own, with exactly this much on the shelf. */
  async stockedSku(available: number): Promise<string> {
    const sku = unique('SKU');
    await this.adjustStock(sku, available);
    return sku;
  }

  /** Adds (or takes away) units of a SKU, as an operator does. */
  async adjustStock(sku: string, delta: number, reason = 'test delivery'): Promise<{ available: number; reserved: number }> {
    const { body } = await this.http('inventory').post(`/stock/${sku}/adjustments`).send({ delta, reason }).expect(201);
    return body;
  }

  async stock(sku: string): Promise<{ available: number; reserved: number }> {
    const { body } = await this.http('inventory').get(`/stock/${sku}`).expect(200);
    return { available: body.available, reserved: body.reserved };
  }

  async available(sku: string): Promise<number> {
    const { body } = await this.http('inventory').get(`/stock/${sku}`).expect(200);
    return body.available;
  }

  async order(orderId: string) {
    const { body } = await this.http('orders').get(`/orders/${orderId}`).expect(200);
    return body;
  }

  /** Waits until the order has this status (or one of these), and returns it. */
  orderIn(orderId: string, status: string | string[]) {
    const wanted = [status].flat();
    return waitFor(
      async () => {
        const order = await this.order(orderId);
        return wanted.includes(order.status) ? order : undefined;
      },
      { what: `order ${orderId} to be ${wanted.join(' or ')}` },
    );
  }

  /** The records a service keeps for an order (`/payments?orderId=`, `/invoices?orderId=`...). */
  async recordsOf(service: ShopServiceName, path: string, orderId: string) {
    const { body } = await this.http(service).get(path).query({ orderId }).expect(200);
    return body;
  }

  /** Waits until a service keeps `count` records for the order that satisfy `ready`, and returns them. */
  recordsWhen(service: ShopServiceName, path: string, orderId: string, count: number, ready: (record: Record<string, unknown>) => boolean = () => true) {
    return waitFor(
      async () => {
        const records = await this.recordsOf(service, path, orderId);
        return records.length === count && records.every(ready) ? records : undefined;
      },
      { what: `${count} record(s) at ${service} ${path} for order ${orderId}` },
    );
  }

  stockBackTo(sku: string, available: number) {
    return waitFor(async () => ((await this.available(sku)) === available ? true : undefined), { what: `${sku} to be back to ${available}` });
  }

  /** Waits until the SKU shows exactly this much available and held. */
  stockIs(sku: string, expected: { available: number; reserved: number }) {
    return waitFor(
      async () => {
        const stock = await this.stock(sku);
        return stock.available === expected.available && stock.reserved === expected.reserved ? stock : undefined;
      },
      { what: `${sku} to be ${JSON.stringify(expected)}` },
    );
  }
}
