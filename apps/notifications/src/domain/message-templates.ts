import type { InvoiceIssued, OrderCancelled, PaymentRefunded, ShipmentDispatched } from '@app/contracts';
import type { EventPayload } from '@app/messaging';

export interface Message {
  subject: string;
  text: string;
}

/** Minor units as a customer reads them: `1234, 'EUR'` → `12.34 EUR`. */
export function formatMoney(minorUnits: number, currency: string): string {
  return `${(minorUnits / 100).toFixed(2)} ${currency}`;
}

/** Customers have no contact details in this shop; the address only shows where a message would go. */
export function placeholderEmail(customerId: string): string {
  return `${customerId}@example.invalid`;
}

const CANCELLATION_WORDING: Record<EventPayload<typeof OrderCancelled>['reason'], string> = {
  OUT_OF_STOCK: 'some of its items are out of stock',
  PAYMENT_DECLINED: 'the payment was declined',
  PAYMENT_TIMEOUT: 'the payment did not arrive in time',
  RESERVATION_EXPIRED: 'the payment did not arrive in time',
};

/**
 * Only a payment that came after the deadline can have been taken for a cancelled order; it is
 * refunded, with a message of its own. Out of stock or declined, nothing was charged.
 */
const CHARGE_WORDING: Record<EventPayload<typeof OrderCancelled>['reason'], string> = {
  OUT_OF_STOCK: 'You have not been charged.',
  PAYMENT_DECLINED: 'You have not been charged.',
  PAYMENT_TIMEOUT: 'If a payment was taken all the same, it is refunded in full, and we will tell you when it is.',
  RESERVATION_EXPIRED: 'If a payment was taken all the same, it is refunded in full, and we will tell you when it is.',
};

export const messages = {
  paymentRefunded: (event: EventPayload<typeof PaymentRefunded>): Message => ({
    subject: `Refund for order ${event.orderId}`,
    text: `We have refunded ${formatMoney(event.amount, event.currency)} for the cancelled order ${event.orderId}.`,
  }),
  invoiceIssued: (event: EventPayload<typeof InvoiceIssued>): Message => ({
    subject: `Invoice ${event.invoiceNumber}`,
    text: `Invoice ${event.invoiceNumber} for ${formatMoney(event.amount, event.currency)} has been issued for order ${event.orderId}.`,
  }),
  shipmentDispatched: (event: EventPayload<typeof ShipmentDispatched>): Message => ({
    subject: `Order ${event.orderId} is on its way`,
    text: `Your order ${event.orderId} was handed to ${event.carrier}; tracking number ${event.trackingNumber}.`,
  }),
  orderCancelled: (event: EventPayload<typeof OrderCancelled>): Message => ({
    subject: `Order ${event.orderId} cancelled`,
    text: `Your order ${event.orderId} was cancelled because ${CANCELLATION_WORDING[event.reason]}. ${CHARGE_WORDING[event.reason]}`,
  }),
};
