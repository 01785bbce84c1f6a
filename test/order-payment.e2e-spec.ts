import { waitFor } from '@app/messaging/testing';
import request from 'supertest';
import { startShop, type RunningShop } from './support/shop';

const DECLINE_ABOVE = 50_000;

const anOrder = (unitPrice = 1_500, quantity = 2) => ({ customerId: 'customer-e2e', currency: 'EUR', items: [{ sku: 'SKU-1', quantity, unitPrice }] });

describe('placing an order (orders → payments → orders)', () => {
  let shop: RunningShop;

  beforeAll(async () => {
    shop = await startShop(['orders', 'payments'], { PAYMENT_DECLINE_ABOVE: String(DECLINE_ABOVE) });
  });

  afterAll(() => shop?.stop());

  async function placeOrder(body: object, correlationId: string): Promise<string> {
    const response = await request(shop.http('orders')).post('/orders').set('x-correlation-id', correlationId).send(body).expect(202);
    expect(response.headers['x-correlation-id']).toBe(correlationId);
    return response.body.orderId;
  }

  const orderOnceSettled = (orderId: string) =>
    waitFor(
      async () => {
        const { body } = await request(shop.http('orders')).get(`/orders/${orderId}`).expect(200);
        return body.status === 'PLACED' ? undefined : body;
      },
      { what: `order ${orderId} to leave PLACED` },
    );

  it('ends PAID, with the caller correlation id on the order, its history and the payment', async () => {
    const orderId = await placeOrder(anOrder(1_500, 2), 'e2e-paid-1');
    const order = await orderOnceSettled(orderId);

    expect(order).toMatchObject({ status: 'PAID', total: 3_000, currency: 'EUR', correlationId: 'e2e-paid-1', cancellationReason: null });
    expect(order.history.map((change: { status: string }) => change.status)).toEqual(['PLACED', 'PAID']);
    expect(order.history.every((change: { correlationId: string }) => change.correlationId === 'e2e-paid-1')).toBe(true);

    const { body: payments } = await request(shop.http('payments')).get('/payments').query({ orderId }).expect(200);
    expect(payments).toEqual([expect.objectContaining({ orderId, amount: 3_000, status: 'COMPLETED', correlationId: 'e2e-paid-1' })]);
  });

  it('ends CANCELLED with PAYMENT_DECLINED above the provider limit', async () => {
    const orderId = await placeOrder(anOrder(DECLINE_ABOVE + 1, 1), 'e2e-declined-1');
    const order = await orderOnceSettled(orderId);

    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED', correlationId: 'e2e-declined-1' });
    const { body: payments } = await request(shop.http('payments')).get('/payments').query({ orderId }).expect(200);
    expect(payments).toEqual([expect.objectContaining({ status: 'DECLINED', correlationId: 'e2e-declined-1' })]);
  });

  it('makes up a correlation id when the caller sends none, and echoes it', async () => {
    const response = await request(shop.http('orders')).post('/orders').send(anOrder()).expect(202);
    const correlationId = response.headers['x-correlation-id'];
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const order = await orderOnceSettled(response.body.orderId);
    expect(order.correlationId).toBe(correlationId);
  });

  it('answers 400 naming each bad field, and creates nothing', async () => {
    const response = await request(shop.http('orders'))
      .post('/orders')
      .send({ customerId: '', currency: 'EURO', items: [{ sku: 'A', quantity: 0, unitPrice: 1.5 }], extra: true })
      .expect(400);
    const messages: string[] = response.body.message;
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^customerId/),
        expect.stringMatching(/^currency/),
        expect.stringMatching(/^items\.0\.quantity/),
        expect.stringMatching(/^items\.0\.unitPrice/),
        expect.stringMatching(/extra should not exist/),
      ]),
    );
  });

  it('answers 404 for an unknown order and 400 for a malformed id', async () => {
    await request(shop.http('orders')).get('/orders/6f1c2b1e-4d3a-4e2f-9b1c-0a1b2c3d4e5f').expect(404);
    await request(shop.http('orders')).get('/orders/not-a-uuid').expect(400);
  });
});
