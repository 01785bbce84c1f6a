import { allShopServices, startShop, type RunningShop } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

describe('a reservation that is never paid', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    // Holds lapse after two seconds, are swept at once, and are looked for ten times a second.
    shop = await startShop(allShopServices, { RESERVATION_TTL_SECONDS: '2', RESERVATION_EXPIRY_GRACE_SECONDS: '0', RESERVATION_SWEEP_INTERVAL_MS: '100' });
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  it('expires: the stock goes back, the order is CANCELLED RESERVATION_EXPIRED, and a late charge is refused', async () => {
    // Payments is down, so nothing pays for the hold.
    await shop.stopService('payments');
    const sku = await client.stockedSku(4);
    const correlationId = unique('e2e-expiry');
    const orderId = await client.placeOrder(anOrder([{ sku, quantity: 3, unitPrice: 1_000 }]), correlationId);
    await client.orderIn(orderId, 'RESERVED');
    expect(await client.available(sku)).toBe(1);

    const order = await client.orderIn(orderId, 'CANCELLED');
    expect(order).toMatchObject({ cancellationReason: 'RESERVATION_EXPIRED', correlationId });
    // The sweep carries the order's correlation id on, though no request of it is running.
    expect(order.history.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'RESERVATION_EXPIRED', correlationId });
    await client.stockBackTo(sku, 4);
    await client.recordsWhen('inventory', '/reservations', orderId, 1, (reservation) => reservation.status === 'EXPIRED');
    const [notification] = await client.recordsWhen('notifications', '/notifications', orderId, 1);
    expect(notification).toMatchObject({ eventType: 'shop.order.cancelled.v1', correlationId });

    // Payments comes back and finds the hold in its backlog, past its deadline: it does not charge.
    await shop.startService('payments');
    await client.recordsWhen('payments', '/payments', orderId, 1, (payment) => payment.status === 'EXPIRED' && payment.correlationId === correlationId);
    expect(await client.recordsOf('billing', '/invoices', orderId)).toEqual([]);
    expect(await client.recordsOf('shipping', '/shipments', orderId)).toEqual([]);
    expect((await client.order(orderId)).status).toBe('CANCELLED');
  });

  it('does not touch orders that are paid in time', async () => {
    const sku = await client.stockedSku(2);
    const orderId = await client.placeOrder(anOrder([{ sku, quantity: 2, unitPrice: 1_000 }]));
    await client.orderIn(orderId, 'SHIPPED');
    await client.recordsWhen('inventory', '/reservations', orderId, 1, (reservation) => reservation.status === 'COMMITTED');
    expect(await client.available(sku)).toBe(0);
  });
});
