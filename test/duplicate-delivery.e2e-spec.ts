import { createCloudEvent } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import { counterValue, publishedEnvelope, sendToQueue } from './support/broker';
import { allShopServices, startShop, type RunningShop } from './support/shop';
import { anOrder, ShopClient } from './support/shop-client';

const ORDER_CONFIRMED = 'shop.order.confirmed.v1';

describe('an event delivered more than once', () => {
  let shop: RunningShop;
  let client: ShopClient;
  let sku: string;

  beforeAll(async () => {
    shop = await startShop(allShopServices);
    client = new ShopClient(shop);
    sku = await client.stockedSku(1_000);
  });

  afterAll(() => shop?.stop());

  const billingCounter = async (name: string) => {
    const { text } = await client.http('billing').get('/metrics').expect(200);
    return counterValue(text, name, { type: ORDER_CONFIRMED });
  };

  const invoiceSequence = (invoice: { number: string }) => Number(invoice.number.split('-').at(-1));

  it('still gets one invoice, whether the broker redelivers it or the publisher sends it again', async () => {
    const orderId = await client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 2_500 }]));
    await client.orderIn(orderId, 'SHIPPED');
    const [invoice] = await client.recordsWhen('billing', '/invoices', orderId, 1);

    // The broker delivers the very same message again, twice: the inbox knows its event id.
    const envelope = await publishedEnvelope(shop.env, 'orders', ORDER_CONFIRMED, orderId);
    const duplicatesBefore = await billingCounter('messaging_messages_duplicate_total');
    await sendToQueue(shop.env, 'billing', JSON.stringify(envelope));
    await sendToQueue(shop.env, 'billing', JSON.stringify(envelope));
    await waitFor(async () => (await billingCounter('messaging_messages_duplicate_total')) === duplicatesBefore + 2 || undefined, { what: 'billing to skip both copies' });

    // The same confirmation in a new envelope (a publisher retry): a new event id, the same order.
    const handledBefore = await billingCounter('messaging_messages_handled_total');
    const republished = createCloudEvent({ source: '/orders', type: ORDER_CONFIRMED, subject: orderId, data: envelope.data, correlationId: 'e2e-republished' });
    await sendToQueue(shop.env, 'billing', JSON.stringify(republished));
    await waitFor(async () => (await billingCounter('messaging_messages_handled_total')) === handledBefore + 1 || undefined, { what: 'billing to handle the new envelope' });

    expect(await client.recordsOf('billing', '/invoices', orderId)).toEqual([invoice]);
    expect(await client.recordsOf('shipping', '/shipments', orderId)).toHaveLength(1);

    // No number was spent on the duplicates: the next invoice follows on directly.
    const nextOrderId = await client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 100 }]));
    const [nextInvoice] = await client.recordsWhen('billing', '/invoices', nextOrderId, 1);
    expect(invoiceSequence(nextInvoice)).toBe(invoiceSequence(invoice) + 1);
  });
});
