import type { RetryPolicy } from '../config/messaging-config';

/**
 * Seconds to keep a failed message invisible before its next attempt: base · factor^(n-1), capped.
 * SQS counts receives for us (ApproximateReceiveCount), so the backoff survives restarts and
 * needs no state of our own.
 */
export function retryDelaySeconds(policy: RetryPolicy, receiveCount: number): number {
  const attempt = Math.max(1, receiveCount);
  const delay = policy.baseSeconds * policy.factor ** (attempt - 1);
  return Math.min(policy.maxSeconds, Math.round(delay));
}
