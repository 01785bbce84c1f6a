export interface ChargeRequest {
  /**
   * Names the charge at the provider: a request repeated with the same key is answered with the
   * first answer and charges nothing more (as Stripe's and Adyen's idempotency keys do). Derived
   * from the order, so every attempt at charging one order, on any replica, after any crash, uses it.
   */
  idempotencyKey: string;
  /** Minor units. */
  amount: number;
  currency: string;
}

export type ChargeResult = { approved: true; reference: string } | { approved: false; reason: 'DECLINED' };

export interface RefundRequest {
  /** As for a charge, and distinct from the charge's own key. */
  idempotencyKey: string;
  /** The provider's reference of the charge to give back, in full. */
  chargeReference: string;
  amount: number;
  currency: string;
}

export interface RefundResult {
  reference: string;
}

/**
 * The card processor, seen from payments. Both calls leave the process, so they MUST NOT be made
 * inside a database transaction the caller needs to commit first; both are idempotent by key.
 */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}

export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');

/** The key of an order's one charge. */
export const chargeKey = (orderId: string) => `charge:${orderId}`;

/** The key of an order's one refund. */
export const refundKey = (orderId: string) => `refund:${orderId}`;
