import { jitteredBackoffMs } from '../timing/jittered-backoff';

/** How one refused row goes on: tried again after a delay, or parked for an operator. */
export type RetryDecision = { action: 'retry'; delayMs: number } | { action: 'park'; cause: 'refused' | 'attempts' };

/** What the broker said about one entry (or about a whole call). */
export interface BrokerRefusal {
  /** The broker's error code: `InvalidParameter`, `InternalError`, … */
  code?: string;
}

/**
 * Errors that cannot succeed however often they are tried: the message itself is wrong (SNS's and
 * SQS's names for an invalid parameter, a message too long, invalid contents, a batch the relay
 * built badly). Throttling, server faults and a missing topic are not here: they pass, or an
 * operator fixes them, and the row is then sent as it is.
 */
const PERMANENT_CODES = new Set([
  'InvalidParameter',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'ParameterValueInvalid',
  'ValidationError',
  'ValidationException',
  'InvalidMessageContents',
  'InvalidMessageContentsException',
  'MessageTooLong',
  'BatchRequestTooLong',
  'BatchRequestTooLongException',
  'BatchEntryIdsNotDistinct',
  'BatchEntryIdsNotDistinctException',
  'InvalidBatchEntryId',
  'InvalidBatchEntryIdException',
  'TooManyEntriesInBatchRequest',
  'TooManyEntriesInBatchRequestException',
]);

/**
 * The relay's recoverability policy for rows the broker refused, in one place: exponential backoff
 * with jitter per row (OUTBOX_RETRY_BASE_MS, doubling, capped at OUTBOX_RETRY_MAX_MS: by default
 * 1 s, 2 s, 4 s … 5 minutes), parking after `maxAttempts` attempts (OUTBOX_MAX_ATTEMPTS), and
 * parking at once for errors that cannot succeed.
 */
export class RelayRetryPolicy {
  constructor(
    private readonly maxAttempts: number,
    private readonly delays: { baseMs: number; maxMs: number } = { baseMs: 1000, maxMs: 300_000 },
    private readonly random: () => number = Math.random,
  ) {}

  static isPermanent(refusal: BrokerRefusal): boolean {
    return refusal.code !== undefined && PERMANENT_CODES.has(refusal.code);
  }

  /** `attempts` counts the attempt that just failed. */
  decide(refusal: BrokerRefusal, attempts: number): RetryDecision {
    if (RelayRetryPolicy.isPermanent(refusal)) return { action: 'park', cause: 'refused' };
    if (attempts >= this.maxAttempts) return { action: 'park', cause: 'attempts' };
    return { action: 'retry', delayMs: this.backoffMs(attempts) };
  }

  /** Between half and all of the exponential step, so rows refused together do not return together. */
  backoffMs(attempts: number): number {
    return jitteredBackoffMs(this.delays, attempts, this.random);
  }
}
