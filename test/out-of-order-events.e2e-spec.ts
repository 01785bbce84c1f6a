import { createCloudEvent } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import { randomUUID } from 'node:crypto';
import { counterValue, sendToQueue } from './support/broker';
import { allShopServices, startShop, type RunningShop } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

describe('events about an order arriving out of order', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    shop = await startShop(allShopServices);
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  const handledByOrders = async (type: string) => {
    const { text } = await client.http('orders').get('/metrics').expect(200);
    return counterValue(text, 'messaging_messages_handled_total', { type });
  };

  it('a shipment reported before its payment still leaves the order SHIPPED', async () => {
    await shop.stopService('payments');
    const correlationId = unique('e2e-out-of-order');
    const order = anOrder([{ sku: 'SKU-5', quantity: 1, unitPrice: 700 }]);
    const orderId = await client.placeOrder(order, correlationId);
    await client.orderIn(orderId, 'RESERVED');

    // The shipment news overtakes the payment news.
    const shipment = createCloudEvent({
      source: '/shipping',
      type: 'shop.shipment.dispatched.v1',
      subject: orderId,
      correlationId,
      data: { shipmentId: randomUUID(), orderId, customerId: order.customerId, carrier: 'TEST', trackingNumber: unique('TRK'), dispatchedAt: new Date().toISOString() },
    });
    await sendToQueue(shop.env, 'orders', JSON.stringify(shipment));
    await client.orderIn(orderId, 'SHIPPED');

    // Payments comes back: its PaymentCompleted, and shipping's own dispatch, now arrive late.
    await shop.startService('payments');
    await waitFor(async () => (await handledByOrders('shop.payment.completed.v1')) === 1 || undefined, { what: 'orders to hear of the payment' });
    await waitFor(async () => (await handledByOrders('shop.shipment.dispatched.v1')) === 2 || undefined, { what: 'orders to hear of the second dispatch' });

    const settled = await client.order(orderId);
    expect(settled.status).toBe('SHIPPED');
    expect(settled.history.map((change: { status: string }) => change.status)).toEqual(['PLACED', 'RESERVED', 'SHIPPED']);
  });
});
