import { RetryableError } from '../errors/messaging-errors';

/** A handler ran past HANDLER_TIMEOUT_MS: its transaction is rolled back and the message retried. */
export class HandlerTimeoutError extends RetryableError {
  constructor(limitMs: number) {
    super(`Handler still running after ${limitMs} ms (HANDLER_TIMEOUT_MS); rolled back`, 'HANDLER_TIMEOUT');
  }
}
