import type { EntityManager } from 'typeorm';
import { runInMessageContext } from '../context/message-context';
import type { EventContract, EventPayload } from '../contracts/event-contract';
import type { CloudEvent } from '../envelope/cloud-event';
import type { Outbox, PublishOptions } from '../outbox/outbox';

const JOB_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Periodic work that must happen once per interval across every replica of a service: sweeping
 * expired holds, purging old keys. Extend it in a provider of the service's module; the
 * SchedulingModule finds it at bootstrap (no registration list to forget).
 *
 * A run is a transaction: what `run` writes through `run.manager` and publishes through
 * `run.publish` commits together, and a run that throws consumes nothing, so the next tick (on
 * any replica) tries again.
 */
export abstract class ScheduledJob {
  /** Unique within the service: names the lock, the bookkeeping row and the log lines. */
  abstract readonly name: string;
  /** How often the job is due. Read once at bootstrap. */
  abstract readonly intervalMs: number;

  abstract run(run: ScheduledRun): Promise<void>;
}

export function assertValidJob(job: ScheduledJob): void {
  if (!JOB_NAME_PATTERN.test(job.name)) {
    throw new Error(`Scheduled job name "${job.name}" must be lowercase letters, digits and dashes`);
  }
  if (!Number.isInteger(job.intervalMs) || job.intervalMs < 10) {
    throw new Error(`Scheduled job "${job.name}" needs an integer interval of at least 10 ms, got ${job.intervalMs}`);
  }
}

export interface ScheduledPublishOptions extends PublishOptions {
  /**
   * The correlation id to carry, when the event continues the story of a record made by some
   * earlier request (an order's reservation). Without it the run's own correlation id is used.
   */
  correlationId?: string;
}

/** What one run of a job gets: the transaction it runs in, and the outbox bound to it. */
export class ScheduledRun {
  constructor(
    readonly job: string,
    /** The start of the interval this run covers; the same on every replica. */
    readonly slotStart: Date,
    readonly manager: EntityManager,
    private readonly outbox: Outbox,
  ) {}

  publish<C extends EventContract>(contract: C, data: EventPayload<C>, options: ScheduledPublishOptions): Promise<CloudEvent<EventPayload<C>>> {
    const { correlationId, ...publishOptions } = options;
    const publish = () => this.outbox.publish(this.manager, contract, data, publishOptions);
    return correlationId ? runInMessageContext({ correlationId }, publish) : publish();
  }
}
