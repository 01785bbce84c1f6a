import { PaymentStatus } from './payment.entity';
import { answerStep, cancellationStep, chargeStep } from './payment-lifecycle';

const { Requested, Completed, Declined, NotCharged, Expired } = PaymentStatus;

describe('payments follows orders', () => {
  it.each([
    [Requested, 'call the provider'],
    [Completed, 'nothing'],
    [Declined, 'nothing'],
    [NotCharged, 'nothing'],
    [Expired, 'nothing'],
  ])('StockReserved finding the charge %s: %s', (requested, expected) => {
    expect(chargeStep(requested)).toBe(expected);
  });

  it.each<[PaymentStatus | null, boolean, boolean, object]>([
    [Requested, true, false, { kind: 'record', status: Completed, announce: 'PaymentCompleted', refund: false }],
    [Requested, true, true, { kind: 'record', status: Completed, announce: 'PaymentCompleted', refund: true }],
    [Requested, false, false, { kind: 'record', status: Declined, announce: 'PaymentFailed', refund: false }],
    [Requested, false, true, { kind: 'record', status: Declined, announce: 'PaymentFailed', refund: false }],
    ...[Completed, Declined, NotCharged, null].map((current): [PaymentStatus | null, boolean, boolean, object] => [current, true, true, { kind: 'nothing' }]),
  ])('the answer for a charge %s (approved %s, cancelled %s)', (current, approved, cancelled, expected) => {
    expect(answerStep(current, approved, cancelled)).toEqual(expected);
  });

  it.each<[PaymentStatus | null, boolean, string]>([
    [Completed, false, 'refund'],
    [Completed, true, 'nothing'],
    [Requested, false, 'left to the charge'],
    [Declined, false, 'nothing'],
    [NotCharged, false, 'nothing'],
    [Expired, false, 'nothing'],
    [null, false, 'nothing'],
  ])('OrderCancelled finding the charge %s (refunded %s): %s', (current, refunded, expected) => {
    expect(cancellationStep(current, refunded)).toBe(expected);
  });

  /**
   * A cancellation and a charge's answer, in either order under the row lock: exactly one of them
   * refunds an approved charge, never both, never neither.
   */
  it.each([
    ['answer first', ['answer', 'cancel']],
    ['cancellation first', ['cancel', 'answer']],
  ])('refunds an approved charge of a cancelled order exactly once: %s', (_order, steps) => {
    let status: PaymentStatus | null = Requested;
    let cancelled = false;
    let refunds = 0;
    for (const step of steps) {
      if (step === 'answer') {
        const answer = answerStep(status, true, cancelled);
        if (answer.kind === 'record') {
          status = answer.status;
          if (answer.refund) refunds += 1;
        }
      } else {
        cancelled = true;
        if (cancellationStep(status, refunds > 0) === 'refund') refunds += 1;
      }
    }
    expect({ status, refunds }).toEqual({ status: Completed, refunds: 1 });
  });
});
