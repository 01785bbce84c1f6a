import type { RetryPolicy } from '../config/messaging-config';

/**
 * How a failed message recovers, in the manner of NServiceBus's recoverability: a few immediate
 * retries in the same process (a deadlock, a dropped connection, a blip), then delayed retries
 * whose delay grows until it reaches minutes (a provider that is down for a while), then the DLQ.
 *
 * Delayed retries are the message's own invisibility: the consumer sets it after a failure, and SQS
 * counts receives (ApproximateReceiveCount), so the schedule survives restarts and needs no state
 * of ours. SQS caps a visibility timeout at 12 hours, and so does RETRY_MAX_SECONDS.
 *
 * With the defaults (2 immediate retries; 10 s × 3ⁿ⁻¹ capped at 15 min, ±20 %; 8 receives) a
 * message is tried 24 times over about 50 minutes before it is dead-lettered with
 * RETRIES_EXHAUSTED: long enough to ride out a real outage of a downstream provider.
 */
export type RetryDecision =
  | { kind: 'retry-now' }
  | { kind: 'retry-later'; delaySeconds: number }
  | { kind: 'exhausted' };

export interface AttemptState {
  /** Deliveries of the message so far, this one included (SQS's ApproximateReceiveCount). */
  receiveCount: number;
  /** Tries within this delivery so far, the one that just failed included. */
  triesThisDelivery: number;
  maxReceiveCount: number;
}

export function decideRetry(policy: RetryPolicy, attempt: AttemptState, random: () => number = Math.random): RetryDecision {
  if (attempt.triesThisDelivery <= policy.immediate) return { kind: 'retry-now' };
  if (attempt.receiveCount >= attempt.maxReceiveCount) return { kind: 'exhausted' };
  return { kind: 'retry-later', delaySeconds: delayedRetrySeconds(policy, attempt.receiveCount, random) };
}

/** Seconds to keep a message invisible after its n-th delivery failed: base · factor^(n-1), capped, ± jitter. */
export function delayedRetrySeconds(policy: RetryPolicy, receiveCount: number, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxSeconds, policy.baseSeconds * policy.factor ** (Math.max(1, receiveCount) - 1));
  // Jitter spreads the retries of messages that failed together, so they do not return together.
  const jittered = nominal * (1 + policy.jitter * (2 * random() - 1));
  return Math.max(1, Math.min(policy.maxSeconds, Math.round(jittered)));
}
