import { createCloudEvent } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import { randomUUID } from 'node:crypto';
import { counterValue, publishedEnvelope, sendToQueue } from './support/broker';
import { startShop, type RunningShop } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

describe('events about an order arriving out of order', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    // Orders alone: the spec plays every other service, in the order it chooses.
    shop = await startShop(['orders']);
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  const handledByOrders = async (type: string) => {
    const { text } = await client.http('orders').get('/metrics').expect(200);
    return counterValue(text, 'messaging_messages_handled_total', { type });
  };

  /** Delivers an event to orders as the broker would, and waits until orders has handled it. */
  const deliver = async (type: string, orderId: string, data: Record<string, unknown>, correlationId: string) => {
    const before = await handledByOrders(type);
    await sendToQueue(shop.env, 'orders', JSON.stringify(createCloudEvent({ source: '/spec', type, subject: orderId, correlationId, data: { orderId, ...data } })));
    await waitFor(async () => (await handledByOrders(type)) > before || undefined, { what: `orders to handle ${type}` });
  };

  it('a payment reported before the stock hold confirms the order; the late hold is stale and changes nothing', async () => {
    const correlationId = unique('e2e-out-of-order');
    const order = anOrder([{ sku: 'SKU-LATE', quantity: 2, unitPrice: 700 }]);
    const orderId = await client.placeOrder(order, correlationId);
    const paymentId = randomUUID();

    await deliver('shop.payment.completed.v1', orderId, { paymentId, customerId: order.customerId, amount: 1400, currency: 'EUR' }, correlationId);
    expect((await client.order(orderId)).status).toBe('CONFIRMED');
    const confirmed = await publishedEnvelope(shop.env, 'orders', 'shop.order.confirmed.v1', orderId);
    expect(confirmed.data).toEqual({ orderId, customerId: order.customerId, paymentId, amount: 1400, currency: 'EUR', lines: [{ sku: 'SKU-LATE', quantity: 2 }] });

    await deliver('shop.stock.reserved.v1', orderId, { reservationId: randomUUID(), customerId: order.customerId, amount: 1400, currency: 'EUR', lines: [{ sku: 'SKU-LATE', quantity: 2 }] }, correlationId);
    await deliver('shop.shipment.dispatched.v1', orderId, { shipmentId: randomUUID(), customerId: order.customerId, carrier: 'TEST', trackingNumber: unique('TRK'), dispatchedAt: new Date().toISOString() }, correlationId);

    const settled = await client.order(orderId);
    expect(settled.status).toBe('SHIPPED');
    expect(settled.history.map((change: { status: string }) => change.status)).toEqual(['PLACED', 'CONFIRMED', 'SHIPPED']);
  });
});
