/**
 * The shop's event contracts: the only thing services know about each other. One file per event
 * and version; a breaking change is a new version file published side by side until every consumer
 * has moved (see README, "Evolving a contract").
 */
export { OrderPlaced } from './orders/order-placed.v1';
export { OrderConfirmed } from './orders/order-confirmed.v1';
export { OrderCancelled } from './orders/order-cancelled.v1';
export { StockReserved } from './inventory/stock-reserved.v1';
export { StockRejected } from './inventory/stock-rejected.v1';
export { StockReleased } from './inventory/stock-released.v1';
export { PaymentCompleted } from './payments/payment-completed.v1';
export { PaymentFailed } from './payments/payment-failed.v1';
export { PaymentRefunded } from './payments/payment-refunded.v1';
export { InvoiceIssued } from './billing/invoice-issued.v1';
export { ShipmentDispatched } from './shipping/shipment-dispatched.v1';
