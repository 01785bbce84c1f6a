import type { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@nestjs/common';
import { locateQueue, QueueNotFoundError } from '../topology/provisioner';
import type { QueueAddresses } from './queue-addresses';
import type { ReceiveGate } from './receive-gate';
import { jitteredBackoffMs } from '../timing/jittered-backoff';

const LOCATE_BACKOFF = { baseMs: 1000, maxMs: 30_000 };

/**
 * Finds the service's queue and DLQ. At start-up a queue that does not exist stops the service
 * with the provisioning hint; a broker that cannot be reached does not: the service starts and
 * serves what needs only its database, and the locator keeps trying with backoff until SQS
 * answers, when consuming begins. A queue found missing only later is logged, not fatal.
 */
export class QueueLocator {
  private readonly logger = new Logger(QueueLocator.name);
  private found?: QueueAddresses;
  private stopped = false;
  private markLocated!: (addresses: QueueAddresses) => void;
  /** Resolves once both queues are located; never, if the service stops first. */
  readonly located = new Promise<QueueAddresses>((resolve) => (this.markLocated = resolve));
  /** Why the last attempt failed, while locating. */
  lastError?: string;
  failedAttempts = 0;

  private constructor(
    private readonly sqs: SQSClient,
    private readonly names: { queue: string; deadLetterQueue: string },
    private readonly gate: ReceiveGate,
  ) {}

  /** Makes the first attempt: located, or still locating in the background; a missing queue throws. */
  static async start(sqs: SQSClient, names: { queue: string; deadLetterQueue: string }, gate: ReceiveGate): Promise<QueueLocator> {
    const locator = new QueueLocator(sqs, names, gate);
    try {
      locator.resolved(await locator.attempt());
    } catch (error) {
      if (error instanceof QueueNotFoundError) throw error;
      locator.failed(error as Error);
      void locator.keepTrying();
    }
    return locator;
  }

  /** The addresses; only to be read once `located` has resolved (the consumer runs only then). */
  get addresses(): QueueAddresses {
    if (!this.found) throw new Error(`Queue "${this.names.queue}" has not been located yet`);
    return this.found;
  }

  get isLocated(): boolean {
    return this.found !== undefined;
  }

  get queueName(): string {
    return this.names.queue;
  }

  stop(): void {
    this.stopped = true;
  }

  private async attempt(): Promise<QueueAddresses> {
    const [queueUrl, deadLetterQueueUrl] = await Promise.all([locateQueue(this.sqs, this.names.queue), locateQueue(this.sqs, this.names.deadLetterQueue)]);
    return { queueUrl, deadLetterQueueUrl };
  }

  private async keepTrying(): Promise<void> {
    while (!this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, jitteredBackoffMs(LOCATE_BACKOFF, this.failedAttempts)).unref());
      if (this.stopped) return;
      this.gate.touch();
      try {
        this.resolved(await this.attempt());
        this.logger.log({ queue: this.names.queue, failedAttempts: this.failedAttempts }, 'SQS reachable; queue located, consuming');
        return;
      } catch (error) {
        if (error instanceof QueueNotFoundError) this.logger.error({ err: error }, error.message);
        this.failed(error as Error);
      }
    }
  }

  private resolved(addresses: QueueAddresses): void {
    this.found = addresses;
    this.lastError = undefined;
    this.markLocated(addresses);
  }

  private failed(error: Error): void {
    if (this.failedAttempts === 0) this.logger.warn({ err: error }, `SQS unreachable at start-up; serving without consuming and locating "${this.names.queue}" with backoff`);
    this.failedAttempts += 1;
    this.lastError = error.message;
  }
}
