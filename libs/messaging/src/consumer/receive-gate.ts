import { Logger } from '@nestjs/common';
import { jitteredBackoffMs } from '../timing/jittered-backoff';

/** Thrown into sqs-consumer's poll when shutdown begins while a receive waits at the gate. */
export class ReceiveCancelledError extends Error {
  override readonly name = 'ReceiveCancelledError';
}

/**
 * What must clear before the consumer's next receive: every hold (the database is down: receiving
 * more would only spend the messages' receives) and the broker's backoff (receives have been
 * failing: polling again at once would spin). sqs-consumer awaits `beforeReceive` at the start of
 * each poll (its preReceiveMessageCallback), so receiving is paused and resumed without stopping
 * and restarting the consumer, and its one poll chain stays one.
 */
export class ReceiveGate {
  private readonly logger = new Logger(ReceiveGate.name);
  private readonly holds = new Set<Promise<unknown>>();
  private brokerFailures = 0;
  private cancelled = false;
  private cancel!: () => void;
  private readonly whenCancelled = new Promise<void>((resolve) => (this.cancel = resolve));
  /** When the consumer last did something: a receive returned (messages, none, or an error), a handler finished, or a hold was re-checked. */
  lastActivityAt = Date.now();

  constructor(private readonly brokerBackoff: { baseMs: number; maxMs: number } = { baseMs: 500, maxMs: 30_000 }) {}

  /** Receiving waits until `until` settles. */
  hold(until: Promise<unknown>): void {
    const held = until.catch(() => undefined).finally(() => this.holds.delete(held));
    this.holds.add(held);
  }

  get held(): boolean {
    return this.holds.size > 0;
  }

  /** The broker's failing receives, in a row: 0 while it answers. */
  get consecutiveBrokerFailures(): number {
    return this.brokerFailures;
  }

  async beforeReceive(): Promise<void> {
    if (this.brokerFailures > 0) await this.until(delay(jitteredBackoffMs(this.brokerBackoff, this.brokerFailures)));
    // Once closed, `until` settles at once: waiting on for the holds would spin in microtasks,
    // starving the very timers that end them (and the shutdown's), until the heap runs out.
    while (this.holds.size > 0 && !this.cancelled) await this.until(Promise.all([...this.holds]));
    if (this.cancelled) throw new ReceiveCancelledError('The consumer is stopping');
  }

  /** A receive returned, with or without messages: the broker answers. */
  receiveSucceeded(): void {
    this.lastActivityAt = Date.now();
    if (this.brokerFailures > 0) this.logger.log({ failedReceives: this.brokerFailures }, 'SQS reachable again; receiving');
    this.brokerFailures = 0;
  }

  /** A receive failed: back off, and say so once per outage rather than once per attempt. */
  receiveFailed(error: Error): void {
    this.lastActivityAt = Date.now();
    if (this.brokerFailures === 0) this.logger.warn({ err: error }, 'SQS unreachable; receiving again with backoff until it answers');
    else this.logger.debug({ err: error, failedReceives: this.brokerFailures + 1 }, 'SQS receive failed again');
    this.brokerFailures += 1;
  }

  /** Marks that a hold was re-checked: the consumer is waiting on purpose, not stalled. */
  touch(): void {
    this.lastActivityAt = Date.now();
  }

  /** Shutdown: a receive waiting here is cancelled instead of being sent. */
  close(): void {
    this.cancelled = true;
    this.cancel();
  }

  get closed(): boolean {
    return this.cancelled;
  }

  private async until(work: Promise<unknown>): Promise<void> {
    await Promise.race([work, this.whenCancelled]);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
