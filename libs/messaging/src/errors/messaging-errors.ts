/**
 * Handler outcomes are explicit: returning means done; a RetryableError means back off and try
 * again; a PoisonMessageError means the message can never succeed and goes to the dead-letter queue
 * now, with its code and reason. Every error has a stable `code` for logs, metrics and DLQ attributes.
 */
export abstract class MessagingError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class RetryableError extends MessagingError {
  constructor(
    message: string,
    readonly code: string = 'RETRYABLE',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export type PoisonCode =
  | 'NOT_JSON'
  | 'NOT_CLOUDEVENT'
  | 'UNKNOWN_EVENT_TYPE'
  | 'SCHEMA_VIOLATION'
  | 'REJECTED_BY_HANDLER';

export class PoisonMessageError extends MessagingError {
  constructor(
    readonly code: PoisonCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Thrown at publish time: a bad event is a programming error and nothing is written. */
export class InvalidEventError extends MessagingError {
  readonly code = 'INVALID_EVENT';
}

export class OutsideTransactionError extends MessagingError {
  readonly code = 'OUTSIDE_TRANSACTION';
}

export class EventTooLargeError extends MessagingError {
  readonly code = 'EVENT_TOO_LARGE';
}

/**
 * A handler caught a database error and returned. Postgres had aborted the transaction at that
 * error, so nothing the handler wrote (nor the inbox row) can commit: the event is tried again.
 */
export class TransactionAbortedError extends MessagingError {
  readonly code = 'TRANSACTION_ABORTED';

  constructor() {
    super('A statement error aborted the transaction and the handler went on; nothing it wrote was committed');
  }
}

export type FailureDisposition =
  | { kind: 'retry'; code: string; reason: string }
  | { kind: 'dead-letter'; code: string; reason: string };

/**
 * The one place that maps whatever a handler threw onto retry or dead-letter. Unknown errors
 * (a driver timeout, a deadlock, a bug) are retried: redelivery is cheap, and a message that keeps
 * failing is dead-lettered with RETRIES_EXHAUSTED once the recoverability policy gives up.
 */
export function resolveFailure(error: unknown): FailureDisposition {
  if (error instanceof PoisonMessageError) {
    return { kind: 'dead-letter', code: error.code, reason: error.message };
  }
  if (error instanceof MessagingError) {
    return { kind: 'retry', code: error.code, reason: error.message };
  }
  const reason = error instanceof Error ? error.message : String(error);
  const driverCode = (error as { code?: unknown } | null)?.code;
  return { kind: 'retry', code: typeof driverCode === 'string' ? `DRIVER_${driverCode}` : 'HANDLER_ERROR', reason };
}
