import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import request from 'supertest';
import { counterValue, publishedEnvelope, sendToQueue } from './support/broker';
import { connect, handledCount, providerOperations, publishedTypes } from './support/deliver';
import { crashAfterProviderAnswers, PaymentGate, removePaymentFaults } from './support/payment-faults';
import { allShopServices, startShop, type RunningShop } from './support/shop';
import { anOrder, ShopClient, unique } from './support/shop-client';

/**
 * The rows of apps/orders/src/domain/ORDER-LIFECYCLE.md that need the whole shop: a payment that
 * arrives after the order's deadline, a cancellation that reaches payments while a charge is under
 * way, a deadline that passes before inventory has answered, a payments crash right after the
 * provider charged, and two events about one order charging at once. Each asserts the end state of
 * every service.
 */
interface PaymentsUnderTest {
  shop: RunningShop;
  client: ShopClient;
  db: Client;
  /** A gate a test closed: opened again after it. */
  gate?: PaymentGate;
}

/**
 * The whole shop with a second payments replica, which takes the events the first cannot while it
 * waits for the provider; after each test its gate is opened and payment faults are removed.
 */
function withTwoPaymentReplicas(env: NodeJS.ProcessEnv = {}): PaymentsUnderTest {
  const world = {} as PaymentsUnderTest;
  beforeAll(async () => {
    world.shop = await startShop(allShopServices, env);
    await world.shop.addReplica('payments');
    world.client = new ShopClient(world.shop);
    world.db = await connect(world.shop.env);
  });
  afterEach(async () => {
    await world.gate?.open();
    world.gate = undefined;
    await removePaymentFaults(world.db);
  });
  afterAll(async () => {
    await world.db?.end();
    await world.shop?.stop();
  });
  return world;
}

describe('an order whose payment races its deadline', () => {
  // Two seconds to pay, looked for ten times a second.
  const world = withTwoPaymentReplicas({ ORDER_PAYMENT_TIMEOUT_SECONDS: '2' });

  /** Over both replicas. */
  const handledByPayments = async (type: string) => (await Promise.all(world.shop.replicasOf('payments').map((app) => handledCount(app, type)))).reduce((a, b) => a + b, 0);

  /** What every service must show for an order cancelled by its deadline after it was charged. */
  async function expectRefundedAndNothingElse(orderId: string, sku: string, total: number, correlationId: string) {
    const [refund] = await world.client.recordsWhen('payments', '/refunds', orderId, 1);
    expect(refund).toMatchObject({ amount: total, currency: 'EUR', correlationId });
    expect(await world.client.recordsOf('payments', '/payments', orderId)).toEqual([expect.objectContaining({ status: 'COMPLETED', amount: total })]);
    expect(await providerOperations(world.db, orderId)).toEqual([
      { operation: 'charge', approved: true, amount: total },
      { operation: 'refund', approved: true, amount: total },
    ]);
    expect(await publishedTypes(world.db, 'payments', orderId)).toEqual(['shop.payment.completed.v1', 'shop.payment.refunded.v1']);

    const order = await world.client.order(orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
    expect(order.history.map((change: { status: string }) => change.status)).not.toContain('CONFIRMED');
    expect(await publishedTypes(world.db, 'orders', orderId)).toEqual(['shop.order.placed.v1', 'shop.order.cancelled.v1']);

    await world.client.recordsWhen('inventory', '/reservations', orderId, 1, (reservation) => reservation.status === 'RELEASED');
    await world.client.stockIs(sku, { available: 5, reserved: 0 });
    const notifications = await world.client.recordsWhen('notifications', '/notifications', orderId, 2);
    expect(notifications.map((n: { eventType: string }) => n.eventType).sort()).toEqual(['shop.order.cancelled.v1', 'shop.payment.refunded.v1']);
    expect(notifications.find((n: { eventType: string }) => n.eventType === 'shop.payment.refunded.v1').text).toContain(`${(total / 100).toFixed(2)} EUR`);
    expect(await world.client.recordsOf('billing', '/invoices', orderId)).toEqual([]);
    expect(await world.client.recordsOf('shipping', '/shipments', orderId)).toEqual([]);
  }

  it('regression: a payment recorded after the deadline is refunded once, and the order is neither shipped nor invoiced', async () => {
    world.gate = await PaymentGate.install(world.db, 'payments records the answer');
    const sku = await world.client.stockedSku(5);
    const correlationId = unique('e2e-late-payment');
    const orderId = await world.client.placeOrder(anOrder([{ sku, quantity: 2, unitPrice: 1_250 }]), correlationId);
    // The provider has charged; payments is slow to record it (a backlog, a pause), past the deadline.
    await world.gate.held();
    await world.client.orderIn(orderId, 'CANCELLED');
    await world.gate.open();
    world.gate = undefined;
    await expectRefundedAndNothingElse(orderId, sku, 2_500, correlationId);
  });

  it('a cancellation that reaches payments while the charge is still under way is refunded by the charge itself', async () => {
    world.gate = await PaymentGate.install(world.db, 'provider answers');
    const sku = await world.client.stockedSku(5);
    const correlationId = unique('e2e-charge-under-way');
    const cancellationsBefore = await handledByPayments('shop.order.cancelled.v1');
    const orderId = await world.client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 3_000 }]), correlationId);
    // The charge is REQUESTED and at the provider, who is slow to answer...
    await world.gate.held();
    await world.client.orderIn(orderId, 'CANCELLED');
    // ...and payments hears of the cancellation first: it leaves the REQUESTED charge to its handler.
    await world.client.recordsWhen('payments', '/payments', orderId, 1, (payment) => payment.status === 'REQUESTED');
    await waitForCount(() => handledByPayments('shop.order.cancelled.v1'), cancellationsBefore + 1);
    await world.gate.open();
    world.gate = undefined;
    await expectRefundedAndNothingElse(orderId, sku, 3_000, correlationId);
  });

  it('a deadline that passes before inventory has answered leaves nothing held and nothing charged', async () => {
    const sku = await world.client.stockedSku(5);
    await world.shop.stopService('inventory');
    const correlationId = unique('e2e-inventory-late');
    const orderId = await world.client.placeOrder(anOrder([{ sku, quantity: 3, unitPrice: 100 }]), correlationId);
    const order = await world.client.orderIn(orderId, 'CANCELLED');
    expect(order).toMatchObject({ cancellationReason: 'PAYMENT_TIMEOUT' });
    expect(order.history.map((change: { status: string }) => change.status)).toEqual(['PLACED', 'CANCELLED']);

    // Inventory comes back to an OrderPlaced and an OrderCancelled, in either order: it ends holding nothing.
    await world.shop.startService('inventory');
    const [reservation] = await world.client.recordsWhen('inventory', '/reservations', orderId, 1, (held) => ['CANCELLED', 'RELEASED'].includes(held.status as string));
    await world.client.stockIs(sku, { available: 5, reserved: 0 });
    // Had it held the stock first, payments knew of the cancellation already and charged nothing.
    const payments = reservation.status === 'RELEASED' ? [expect.objectContaining({ status: 'NOT_CHARGED' })] : [];
    await world.client.recordsWhen('payments', '/payments', orderId, payments.length);
    expect(await world.client.recordsOf('payments', '/payments', orderId)).toEqual(payments);
    expect(await providerOperations(world.db, orderId)).toEqual([]);
    const [notification] = await world.client.recordsWhen('notifications', '/notifications', orderId, 1);
    expect(notification).toMatchObject({ eventType: 'shop.order.cancelled.v1', correlationId });
    expect(await world.client.recordsOf('billing', '/invoices', orderId)).toEqual([]);
    expect(await world.client.recordsOf('shipping', '/shipments', orderId)).toEqual([]);
  });
});

describe('charging an order exactly once', () => {
  const world = withTwoPaymentReplicas();

  async function expectChargedOnceAndShipped(orderId: string, total: number) {
    await world.client.orderIn(orderId, 'SHIPPED');
    expect(await providerOperations(world.db, orderId)).toEqual([{ operation: 'charge', approved: true, amount: total }]);
    expect(await world.client.recordsOf('payments', '/payments', orderId)).toEqual([expect.objectContaining({ status: 'COMPLETED', amount: total })]);
    expect(await publishedTypes(world.db, 'payments', orderId)).toEqual(['shop.payment.completed.v1']);
    expect(await world.client.recordsOf('payments', '/refunds', orderId)).toEqual([]);
    await world.client.recordsWhen('billing', '/invoices', orderId, 1);
    expect(await world.client.recordsOf('shipping', '/shipments', orderId)).toHaveLength(1);
  }

  it('regression: a payments crash right after the provider charged resumes with the same key, and charges once', async () => {
    await crashAfterProviderAnswers(world.db, 2);
    const sku = await world.client.stockedSku(5);
    const retriedBefore = await retried();
    const orderId = await world.client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 4_200 }]));
    await expectChargedOnceAndShipped(orderId, 4_200);
    // The crash did happen, twice: the charge was made and its recording failed before it succeeded.
    expect(await retried()).toBe(retriedBefore + 2);
  });

  it('regression: two events about one order charging at the same moment make one charge', async () => {
    world.gate = await PaymentGate.install(world.db, 'provider answers');
    const sku = await world.client.stockedSku(5);
    const order = anOrder([{ sku, quantity: 1, unitPrice: 900 }]);
    const orderId = await world.client.placeOrder(order);
    await world.gate.held(1);
    // A second StockReserved about the same order (a new event id: the inbox does not know it).
    const reserved = await publishedEnvelope(world.shop.env, 'inventory', 'shop.stock.reserved.v1', orderId);
    await sendToQueue(world.shop.env, 'payments', JSON.stringify({ ...reserved, id: randomUUID() }));
    // Both are at the provider with the order's key before either has its answer.
    await world.gate.held(2);
    await world.gate.open();
    world.gate = undefined;
    await expectChargedOnceAndShipped(orderId, 900);
  });

  /** Over both replicas. */
  async function retried(): Promise<number> {
    let total = 0;
    for (const app of world.shop.replicasOf('payments')) {
      const { text } = await request(app.getHttpServer()).get('/metrics').expect(200);
      total += counterValue(text, 'messaging_messages_retried_total', { type: 'shop.stock.reserved.v1' });
    }
    return total;
  }
});

async function waitForCount(read: () => Promise<number>, count: number, how: 'exactly' | 'at least' = 'exactly'): Promise<void> {
  const { waitFor } = await import('@app/messaging/testing');
  await waitFor(async () => {
    const value = await read();
    return (how === 'exactly' ? value === count : value >= count) || undefined;
  }, { what: `a count of ${how} ${count}` });
}
