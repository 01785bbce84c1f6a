import { PaymentStatus } from './payment.entity';

/**
 * Payments' side of an order, as three decisions; the handlers do what they say. Orders decides
 * whether the order goes ahead; payments only makes sure money follows: charged at most once, and
 * given back exactly once when the order was cancelled anyway. ORDER-LIFECYCLE.md tabulates the
 * orders its events can arrive in.
 */

/** Step 1, on StockReserved, once "charge requested" is committed: call the provider, or not. */
export function chargeStep(requested: PaymentStatus): 'call the provider' | 'nothing' {
  // REQUESTED: fresh, or left by an attempt that crashed (the same key gets the first answer).
  return requested === PaymentStatus.Requested ? 'call the provider' : 'nothing';
}

export type AnswerStep = { kind: 'record'; status: PaymentStatus.Completed | PaymentStatus.Declined; announce: 'PaymentCompleted' | 'PaymentFailed'; refund: boolean } | { kind: 'nothing' };

/**
 * Step 3, with the payment row locked: record the provider's answer, unless another event about
 * the order recorded it meanwhile; refund at once if the cancellation is known by now.
 */
export function answerStep(current: PaymentStatus | null, approved: boolean, knownCancelled: boolean): AnswerStep {
  if (current !== PaymentStatus.Requested) return { kind: 'nothing' };
  return approved
    ? { kind: 'record', status: PaymentStatus.Completed, announce: 'PaymentCompleted', refund: knownCancelled }
    : { kind: 'record', status: PaymentStatus.Declined, announce: 'PaymentFailed', refund: false };
}

/**
 * On OrderCancelled (remembered first), with the payment row locked: refund a completed charge
 * once; a charge still REQUESTED is left to its own step 3, which sees the cancellation under the
 * same lock.
 */
export function cancellationStep(current: PaymentStatus | null, refunded: boolean): 'refund' | 'left to the charge' | 'nothing' {
  if (current === PaymentStatus.Completed) return refunded ? 'nothing' : 'refund';
  return current === PaymentStatus.Requested ? 'left to the charge' : 'nothing';
}
