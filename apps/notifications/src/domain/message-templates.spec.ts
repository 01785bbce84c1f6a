import { formatMoney, messages, placeholderEmail } from './message-templates';

const orderId = '6f1c2b1e-4d3a-4e2f-9b1c-0a1b2c3d4e5f';

describe('message templates', () => {
  it('formats minor units with two decimals', () => {
    expect(formatMoney(1234, 'EUR')).toBe('12.34 EUR');
    expect(formatMoney(5, 'USD')).toBe('0.05 USD');
  });

  it('addresses customers at a reserved domain', () => {
    expect(placeholderEmail('customer-42')).toBe('customer-42@example.invalid');
  });

  it('explains each cancellation reason', () => {
    expect(messages.orderCancelled({ orderId, customerId: 'c', reason: 'OUT_OF_STOCK' }).text).toContain('out of stock');
    expect(messages.orderCancelled({ orderId, customerId: 'c', reason: 'PAYMENT_DECLINED' }).text).toContain('declined');
    expect(messages.orderCancelled({ orderId, customerId: 'c', reason: 'PAYMENT_TIMEOUT' }).text).toContain('in time');
    expect(messages.orderCancelled({ orderId, customerId: 'c', reason: 'RESERVATION_EXPIRED' }).text).toContain('in time');
  });

  it('promises no charge only where none can have been taken, and a refund where one may have been', () => {
    expect(messages.orderCancelled({ orderId, customerId: 'c', reason: 'OUT_OF_STOCK' }).text).toContain('not been charged');
    expect(messages.orderCancelled({ orderId, customerId: 'c', reason: 'PAYMENT_DECLINED' }).text).toContain('not been charged');
    expect(messages.orderCancelled({ orderId, customerId: 'c', reason: 'PAYMENT_TIMEOUT' }).text).toContain('refunded');
  });

  it('names the refunded amount', () => {
    const message = messages.paymentRefunded({ refundId: orderId, paymentId: orderId, orderId, customerId: 'c', amount: 1999, currency: 'EUR', reason: 'ORDER_CANCELLED' });
    expect(message.text).toContain('19.99 EUR');
  });

  it('names the invoice number and amount', () => {
    const message = messages.invoiceIssued({
      invoiceId: orderId,
      invoiceNumber: 'INV-2026-000007',
      orderId,
      paymentId: orderId,
      customerId: 'c',
      amount: 3000,
      currency: 'EUR',
      issuedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(message).toEqual({ subject: 'Invoice INV-2026-000007', text: expect.stringContaining('30.00 EUR') });
  });
});
