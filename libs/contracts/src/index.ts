/**
 * The shop's event contracts: the only thing services know about each other. One file per event
 * and version; a breaking change is a new version file published side by side until every consumer
 * has moved (see README, "Evolving a contract").
 */
export { OrderPlaced } from './orders/order-placed.v1';
export { PaymentCompleted } from './payments/payment-completed.v1';
export { PaymentFailed } from './payments/payment-failed.v1';
