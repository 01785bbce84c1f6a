import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { EventContract, EventPayload } from '../contracts/event-contract';
import type { CloudEvent } from '../envelope/cloud-event';
import { InvalidEventError } from '../errors/messaging-errors';
import type { PublishOptions } from '../outbox/outbox';
import type { TimeoutDefinition, TimeoutDue, TimeoutPayload } from './process-manager';

/** Publishes into the step's transaction: the outbox bound to it, or a recorder in unit specs. */
export type StepPublisher = <C extends EventContract>(contract: C, data: EventPayload<C>, options: PublishOptions) => Promise<CloudEvent<EventPayload<C>>>;

export interface RequestedTimeout {
  readonly timeout: TimeoutDefinition;
  readonly data: unknown;
  readonly due: TimeoutDue;
}

/**
 * What one handler of a process manager gets besides the message: the instance (its key and state),
 * the transaction, and the ways to act on the instance. Timeouts asked for and completion take
 * effect when the handler returns, in the same transaction as the new state.
 */
export class ProcessStep<TState extends object> {
  private completedNow = false;
  private readonly requested = new Map<string, RequestedTimeout>();
  private readonly cancelled = new Set<string>();

  constructor(
    /** The instance key (e.g. the order id). */
    readonly key: string,
    /** The instance's state; change it in place or assign a new object. Saved when the handler returns. */
    public state: TState,
    /** True when this message started the instance. */
    readonly isNew: boolean,
    /** The transaction everything commits in: the instance, the inbox row, the outbox, the timeouts. */
    readonly manager: EntityManager,
    /**
     * The message this step handles: the event, or the timeout (whose event id is the timeout's id),
     * e.g. to record what caused a change. Undefined for a step a use case started.
     */
    readonly message: CloudEvent | undefined,
    private readonly publisher: StepPublisher,
    private readonly pending: ReadonlySet<string>,
  ) {}

  publish<C extends EventContract>(contract: C, data: EventPayload<C>, options: PublishOptions): Promise<CloudEvent<EventPayload<C>>> {
    return this.publisher(contract, data, options);
  }

  /**
   * Asks for `timeout` to come back to this instance when due. An instance waits for at most one
   * timeout of each name: asking again reschedules it (the earlier one is cancelled).
   */
  requestTimeout<T extends TimeoutDefinition>(timeout: T, data: TimeoutPayload<T>, due: TimeoutDue): void {
    const parsed = timeout.schema.safeParse(data);
    if (!parsed.success) throw new InvalidEventError(`Timeout "${timeout.name}" data is invalid: ${z.prettifyError(parsed.error)}`);
    if ('delayMs' in due ? !Number.isFinite(due.delayMs) || due.delayMs < 0 : Number.isNaN(due.at.getTime())) {
      throw new InvalidEventError(`Timeout "${timeout.name}" needs a delay of 0 ms or more, or a valid date`);
    }
    this.cancelled.delete(timeout.name);
    this.requested.set(timeout.name, { timeout, data: parsed.data, due });
  }

  /** Stops waiting for `timeout`; if it is already on its way, it is dropped when it arrives. */
  cancelTimeout(timeout: TimeoutDefinition): void {
    this.requested.delete(timeout.name);
    this.cancelled.add(timeout.name);
  }

  /** Whether the instance will still be waiting for `timeout` once this step commits. */
  isWaitingFor(timeout: TimeoutDefinition): boolean {
    if (this.completedNow || this.cancelled.has(timeout.name)) return false;
    return this.requested.has(timeout.name) || this.pending.has(timeout.name);
  }

  /**
   * Ends the instance: its pending timeouts are cancelled, and later events and timeouts for its
   * key are dropped (or restart it, where a handler says `ifCompleted: 'restart'`).
   */
  complete(): void {
    this.completedNow = true;
  }

  get completed(): boolean {
    return this.completedNow;
  }

  /** The runner's view of what the handler asked for. */
  changes(): { completed: boolean; requested: ReadonlyMap<string, RequestedTimeout>; cancelled: ReadonlySet<string> } {
    return { completed: this.completedNow, requested: this.requested, cancelled: this.cancelled };
  }
}
