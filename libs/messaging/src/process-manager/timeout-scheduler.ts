import type { EntityManager } from 'typeorm';
import type { TimeoutDue } from './process-manager';

export interface TimeoutRequest {
  readonly process: string;
  readonly key: string;
  /** The timeout's name within its process manager. */
  readonly timeout: string;
  readonly data: unknown;
  readonly due: TimeoutDue;
}

/** What the scheduler made of a request: the id the timeout comes back with, and its due time. */
export interface ScheduledTimeout {
  readonly id: string;
  readonly dueAt: Date;
}

/** A timeout that has come due, as it reaches the service again. */
export interface TimeoutMessage {
  readonly id: string;
  readonly process: string;
  readonly key: string;
  readonly timeout: string;
  readonly data: unknown;
}

/**
 * Durable timers for process managers. A scheduled timeout comes back to the same service as a
 * TimeoutMessage, through the same unit of work as any event (inbox row, handler, outbox), once it
 * is due; at least once, like every message.
 */
export interface TimeoutScheduler {
  /** MUST be called inside the step's transaction: the timeout exists if and only if the step commits. */
  schedule(manager: EntityManager, request: TimeoutRequest): Promise<ScheduledTimeout>;

  /**
   * Withdraws timeouts that have not been sent yet, inside the step's transaction. One already on
   * its way is not recalled: the instance no longer waits for its id, so it is dropped on arrival.
   */
  cancel(manager: EntityManager, ids: readonly string[]): Promise<void>;
}
