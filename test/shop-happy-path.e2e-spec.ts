import { allShopServices, startShop, type RunningShop } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

describe('the happy path: placed → awaiting payment → confirmed → invoiced, shipped and notified', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    shop = await startShop(allShopServices);
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  it('ends SHIPPED with one invoice, one shipment, the notifications, and the caller correlation id on every record', async () => {
    const sku = await client.stockedSku(10);
    const correlationId = unique('e2e-happy');
    const orderId = await client.placeOrder(anOrder([{ sku, quantity: 2, unitPrice: 1_500 }]), correlationId);

    const order = await client.orderIn(orderId, 'SHIPPED');
    expect(order).toMatchObject({ total: 3_000, currency: 'EUR', correlationId, cancellationReason: null });
    const statuses: string[] = order.history.map((change: { status: string }) => change.status);
    expect(statuses[0]).toBe('PLACED');
    expect(statuses.at(-1)).toBe('SHIPPED');
    expect(order.history.every((change: { correlationId: string }) => change.correlationId === correlationId)).toBe(true);

    const notifications = await client.recordsWhen('notifications', '/notifications', orderId, 2);
    expect(notifications.map((n: { eventType: string }) => n.eventType).sort()).toEqual(['shop.invoice.issued.v1', 'shop.shipment.dispatched.v1']);
    expect(notifications).toEqual(
      notifications.map(() => expect.objectContaining({ correlationId, channel: 'email', recipient: `${order.customerId}@example.invalid` })),
    );

    const [invoice] = await client.recordsWhen('billing', '/invoices', orderId, 1);
    expect(invoice).toMatchObject({ orderId, amount: 3_000, currency: 'EUR', customerId: order.customerId, correlationId });
    expect(invoice.number).toMatch(/^INV-\d{4}-\d{6}$/);
    const { body: sameInvoice } = await client.http('billing').get(`/invoices/${invoice.id}`).expect(200);
    expect(sameInvoice).toEqual(invoice);

    expect(await client.recordsOf('shipping', '/shipments', orderId)).toEqual([expect.objectContaining({ orderId, status: 'DISPATCHED', correlationId })]);
    expect(await client.recordsOf('payments', '/payments', orderId)).toEqual([expect.objectContaining({ amount: 3_000, status: 'COMPLETED', correlationId })]);
    expect(statuses).toContain('CONFIRMED');
    expect(await client.recordsOf('payments', '/refunds', orderId)).toEqual([]);
    // The goods leave the shelf when inventory hears of the confirmation, maybe after the order shipped.
    await client.recordsWhen('inventory', '/reservations', orderId, 1, (reservation) => reservation.status === 'COMMITTED' && reservation.correlationId === correlationId);
    await client.stockIs(sku, { available: 8, reserved: 0 });
  });
});
