import { allShopServices, startShop, type RunningShop } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

const DECLINE_ABOVE = 50_000;

describe('when an order cannot go through', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    shop = await startShop(allShopServices, { PAYMENT_DECLINE_ABOVE: String(DECLINE_ABOVE) });
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  it('payment declined: the stock goes back, the order is CANCELLED PAYMENT_DECLINED, the customer hears why', async () => {
    const sku = await client.stockedSku(7);
    const correlationId = unique('e2e-declined');
    const orderId = await client.placeOrder(anOrder([{ sku, quantity: 2, unitPrice: DECLINE_ABOVE }]), correlationId);

    const order = await client.orderIn(orderId, 'CANCELLED');
    expect(order).toMatchObject({ cancellationReason: 'PAYMENT_DECLINED', correlationId });
    expect(order.history.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED', correlationId });

    // Inventory gives the hold back when it hears of the cancellation.
    await client.recordsWhen('inventory', '/reservations', orderId, 1, (reservation) => reservation.status === 'RELEASED');
    await client.stockIs(sku, { available: 7, reserved: 0 });
    expect(await client.recordsOf('payments', '/payments', orderId)).toEqual([expect.objectContaining({ status: 'DECLINED', correlationId })]);
    expect(await client.recordsOf('payments', '/refunds', orderId)).toEqual([]);

    const [notification] = await client.recordsWhen('notifications', '/notifications', orderId, 1);
    expect(notification).toMatchObject({ eventType: 'shop.order.cancelled.v1', correlationId });
    expect(notification.text).toContain('payment was declined');

    // Billing and shipping hear only of confirmed orders.
    expect(await client.recordsOf('billing', '/invoices', orderId)).toEqual([]);
    expect(await client.recordsOf('shipping', '/shipments', orderId)).toEqual([]);
  });

  it('out of stock: nothing is held, no payment is attempted, the order is CANCELLED OUT_OF_STOCK', async () => {
    const plenty = await client.stockedSku(5);
    const scarce = await client.stockedSku(1);
    const correlationId = unique('e2e-out-of-stock');
    const orderId = await client.placeOrder(
      anOrder([
        { sku: plenty, quantity: 2, unitPrice: 100 },
        { sku: scarce, quantity: 3, unitPrice: 100 },
      ]),
      correlationId,
    );

    const order = await client.orderIn(orderId, 'CANCELLED');
    expect(order).toMatchObject({ cancellationReason: 'OUT_OF_STOCK', correlationId });
    const [reservation] = await client.recordsWhen('inventory', '/reservations', orderId, 1);
    expect(reservation).toMatchObject({ status: 'REJECTED', correlationId, missing: [{ sku: scarce, requested: 3, available: 1 }] });
    expect(await client.stock(plenty)).toEqual({ available: 5, reserved: 0 });
    expect(await client.stock(scarce)).toEqual({ available: 1, reserved: 0 });

    const [notification] = await client.recordsWhen('notifications', '/notifications', orderId, 1);
    expect(notification).toMatchObject({ eventType: 'shop.order.cancelled.v1', correlationId });
    expect(notification.text).toContain('out of stock');
    // Payments hears only of reserved stock: a rejected order never reaches it.
    expect(await client.recordsOf('payments', '/payments', orderId)).toEqual([]);
  });

  it('the last unit goes to one order only', async () => {
    const sku = await client.stockedSku(1);
    const orders = await Promise.all([1, 2, 3].map(() => client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 100 }]))));
    const settled = await Promise.all(orders.map((orderId) => client.orderIn(orderId, ['SHIPPED', 'CANCELLED'])));
    expect(settled.map((order) => order.status).sort()).toEqual(['CANCELLED', 'CANCELLED', 'SHIPPED']);
    await client.stockIs(sku, { available: 0, reserved: 0 });
  });
});
