import { waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { SchedulePaymentDeadlines1732300000103 } from '../apps/orders/src/migrations/1732300000103-schedule-payment-deadlines';
import { connect, deliver, publishedTypes } from './support/deliver';
import { startShop, type RunningShop } from './support/shop';
import { ShopClient } from './support/shop-client';

interface DeadlineInstance {
  completed: boolean;
  timeouts: Record<string, { id: string; dueAt: string }>;
}

/**
 * The payment deadline of an order is a durable timer (a process manager's timeout in the orders
 * outbox), asked for in the transaction that places the order: no job sweeps the orders table.
 */
describe('the payment deadline is a durable timer per order', () => {
  let shop: RunningShop;
  let client: ShopClient;
  let db: Client;

  beforeAll(async () => {
    // Orders alone: the spec plays inventory and payments.
    shop = await startShop(['orders'], { ORDER_PAYMENT_TIMEOUT_SECONDS: '1' });
    client = new ShopClient(shop);
    db = await connect(shop.env);
  });

  afterAll(async () => {
    await db?.end();
    await shop?.stop();
  });

  const anOrder = () => client.placeOrder({ customerId: 'deadline', currency: 'EUR', items: [{ sku: 'SKU-ANY', quantity: 1, unitPrice: 700 }] });
  const instanceOf = async (orderId: string): Promise<DeadlineInstance | undefined> =>
    (
      await db.query<DeadlineInstance>(`SELECT completed_at IS NOT NULL AS completed, timeouts FROM orders.process_instances WHERE process = 'order-payment-deadline' AND key = $1`, [
        orderId,
      ])
    ).rows[0];
  const timerRows = async (orderId: string) =>
    (
      await db.query<{ sent: boolean; deliver_at: Date }>(`SELECT published_at IS NOT NULL AS sent, deliver_at FROM orders.outbox_messages WHERE envelope->>'subject' = $1`, [
        `order-payment-deadline/${orderId}`,
      ])
    ).rows;
  const deadlineOf = async (orderId: string): Promise<Date> => (await db.query(`SELECT payment_deadline FROM orders.orders WHERE id = $1`, [orderId])).rows[0].payment_deadline;
  const timerFired = (orderId: string) => waitFor(async () => ((await instanceOf(orderId))?.completed ? true : undefined), { what: `the deadline timer of ${orderId} to fire` });

  it('asks for the timer with the order, due just after its deadline, and cancels the unpaid order when it fires, once', async () => {
    const orderId = await anOrder();
    const [timer] = await timerRows(orderId);
    const deadline = await deadlineOf(orderId);
    expect(timer.deliver_at.getTime()).toBe(deadline.getTime() + 1);
    expect(Object.keys((await instanceOf(orderId))?.timeouts ?? {})).toEqual(['payment-deadline']);

    const order = await client.orderIn(orderId, 'CANCELLED');
    expect(order.cancellationReason).toBe('PAYMENT_TIMEOUT');
    await timerFired(orderId);
    expect(await timerRows(orderId)).toEqual([{ sent: true, deliver_at: timer.deliver_at }]);
    expect(await publishedTypes(db, 'orders', orderId)).toEqual(['shop.order.placed.v1', 'shop.order.cancelled.v1']);
  });

  it('leaves an order paid in time as it is when its deadline comes', async () => {
    const orderId = await anOrder();
    await deliver(shop, 'orders', 'shop.stock.reserved.v1', orderId, { reservationId: randomUUID(), customerId: 'deadline', amount: 700, currency: 'EUR', lines: [{ sku: 'SKU-ANY', quantity: 1 }] });
    await deliver(shop, 'orders', 'shop.payment.completed.v1', orderId, { paymentId: randomUUID(), customerId: 'deadline', amount: 700, currency: 'EUR' });
    expect((await client.order(orderId)).status).toBe('CONFIRMED');

    await timerFired(orderId);
    expect((await client.order(orderId)).status).toBe('CONFIRMED');
    expect(await publishedTypes(db, 'orders', orderId)).toEqual(['shop.order.placed.v1', 'shop.order.confirmed.v1']);
  });

  it('gives orders already waiting when the timer replaced the deadline sweep a timer of their own', async () => {
    // An order placed by the previous release: no process instance, no timer, deadline passed.
    const orderId = randomUUID();
    await db.query(
      `INSERT INTO orders.orders (id, customer_id, currency, lines, total, status, correlation_id, payment_deadline)
       VALUES ($1, 'deadline', 'EUR', '[{"sku":"SKU-ANY","quantity":1,"unitPrice":700}]', 700, 'AWAITING_PAYMENT', $2, now() - interval '1 minute')`,
      [orderId, `corr-${orderId}`],
    );
    await db.query(`INSERT INTO orders.order_status_changes (order_id, status, correlation_id) VALUES ($1, 'AWAITING_PAYMENT', $2)`, [orderId, `corr-${orderId}`]);
    const orders = shop.apps.orders as INestApplication;
    const runner = orders.get<DataSource>(getDataSourceToken()).createQueryRunner();
    try {
      await new SchedulePaymentDeadlines1732300000103().up(runner);
    } finally {
      await runner.release();
    }

    const order = await client.orderIn(orderId, 'CANCELLED');
    expect(order.cancellationReason).toBe('PAYMENT_TIMEOUT');
    await timerFired(orderId);
    expect(await publishedTypes(db, 'orders', orderId)).toEqual(['shop.order.cancelled.v1']);
  });
});
