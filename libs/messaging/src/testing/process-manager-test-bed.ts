import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { EventContract, EventPayload } from '../contracts/event-contract';
import { createCloudEvent, type CloudEvent } from '../envelope/cloud-event';
import { InvalidEventError } from '../errors/messaging-errors';
import type { PublishOptions } from '../outbox/outbox';
import type { InstanceStore, LockedInstance, ProcessInstance } from '../process-manager/instance-store';
import { ProcessCatalog } from '../process-manager/process-catalog';
import { ProcessManagerTimeout } from '../process-manager/process-manager-timeout.contract';
import { timeoutSubject } from '../process-manager/outbox-timeout-scheduler';
import type { ProcessManager } from '../process-manager/process-manager';
import type { CompletedInstancePolicy } from '../process-manager/process-routes';
import { ProcessRunner, type StepReport, type StepUnit } from '../process-manager/process-runner';
import type { ProcessStep } from '../process-manager/process-step';
import type { ScheduledTimeout, TimeoutRequest, TimeoutScheduler } from '../process-manager/timeout-scheduler';

/** A clock that moves only when the spec moves it. */
export class FakeClock {
  private current: number;

  constructor(start: Date = new Date('2030-01-01T00:00:00Z')) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves forward (never back: time in a process manager does not run backwards). */
  set(to: Date): void {
    this.current = Math.max(this.current, to.getTime());
  }
}

/** An event a step published, as the outbox would have written it. */
export interface PublishedByStep {
  readonly type: string;
  readonly data: unknown;
  readonly subject: string;
  readonly options: PublishOptions;
}

/** A timeout waiting in the fake scheduler. */
export interface FakePendingTimeout {
  readonly id: string;
  readonly process: string;
  readonly key: string;
  readonly timeout: string;
  readonly data: unknown;
  readonly dueAt: Date;
}

/** An instance as a spec sees it: state as stored (JSON), and the timeouts it waits for with their due times. */
export interface InstanceView<S = unknown> {
  readonly state: S;
  readonly version: number;
  readonly completed: boolean;
  readonly timeouts: Readonly<Record<string, { id: string; dueAt: Date }>>;
}

/**
 * Fake time for process managers in unit specs: the real runner (policies, timeouts, completion)
 * over an in-memory store and a fake scheduler, with a clock that moves only when the spec says so.
 * `advance` fires the timeouts that fall due, in due order, each in its own step, the way the relay
 * would deliver them, without sleeping:
 *
 *   const bed = new ProcessManagerTestBed([new PaymentDeadlineProcess()]);
 *   await bed.deliver(OrderPlaced, order, { subject: order.orderId });
 *   await bed.advance(15 * 60_000);
 *   expect(bed.published.map((event) => event.type)).toContain(OrderCancelled.type);
 *
 * Each step is a transaction: a handler that throws leaves no state, timeout or published event.
 * `step.manager` is not available here (there is no database); process managers that write
 * business rows through it are covered by integration specs.
 */
export class ProcessManagerTestBed {
  readonly clock: FakeClock;
  private readonly store = new MemoryInstanceStore();
  private readonly scheduler: FakeTimeoutScheduler;
  private readonly runner: ProcessRunner;
  private readonly seenEventIds = new Set<string>();
  private readonly publishedEvents: PublishedByStep[] = [];

  constructor(processes: readonly ProcessManager[], options: { now?: Date } = {}) {
    this.clock = new FakeClock(options.now);
    this.scheduler = new FakeTimeoutScheduler(this.clock);
    this.runner = new ProcessRunner(new ProcessCatalog(processes), this.store, this.scheduler);
  }

  /** Everything the steps published, in order (rolled-back steps excluded). */
  get published(): readonly PublishedByStep[] {
    return this.publishedEvents;
  }

  /** The timeouts waiting to fire, earliest first. */
  get pendingTimeouts(): readonly FakePendingTimeout[] {
    return this.scheduler.pendingInDueOrder();
  }

  /**
   * Delivers an event to every process manager that handles it, as the consumer would. An event id
   * delivered before is a duplicate and is skipped, as the inbox skips it (returns no report).
   */
  async deliver<C extends EventContract>(contract: C, data: EventPayload<C>, options: { subject?: string; id?: string } = {}): Promise<StepReport[]> {
    const parsed = contract.schema.parse(data) as EventPayload<C>;
    const envelope: CloudEvent = {
      ...createCloudEvent({ source: '/process-manager-test-bed', type: contract.type, subject: options.subject, data: parsed, correlationId: randomUUID() }),
      ...(options.id ? { id: options.id } : {}),
    };
    if (this.runner.catalog.eventRoutes(contract.type).length === 0) throw new Error(`No process manager of this test bed handles ${contract.type}`);
    if (this.seenEventIds.has(envelope.id)) return [];
    const reports = await this.inTransaction((unit) => this.runner.onEvent({ ...unit, message: envelope }, envelope, parsed));
    this.seenEventIds.add(envelope.id);
    return reports;
  }

  /** What `ProcessManagers.start` does in a use case's transaction. */
  start<S extends object>(process: ProcessManager<S>, key: string, body: (step: ProcessStep<S>) => Promise<void> | void, options: { ifCompleted?: CompletedInstancePolicy } = {}): Promise<StepReport> {
    return this.inTransaction((unit) => this.runner.start(unit, process, key, body, options.ifCompleted));
  }

  /** Moves the clock on by `ms`, firing every timeout that falls due on the way. */
  advance(ms: number): Promise<StepReport[]> {
    return this.advanceTo(new Date(this.clock.now().getTime() + ms));
  }

  /** Moves the clock to `to`, firing due timeouts one by one in due order (also those they schedule). */
  async advanceTo(to: Date): Promise<StepReport[]> {
    const reports: StepReport[] = [];
    for (let next = this.scheduler.nextDueBy(to); next; next = this.scheduler.nextDueBy(to)) {
      const due = next;
      this.clock.set(due.dueAt);
      reports.push(
        await this.inTransaction((unit) => {
          // Sent: no longer cancellable. If its handler throws, it is back, as a redelivery would be.
          this.scheduler.take(due.id);
          return this.runner.onTimeout({ ...unit, message: timeoutEnvelope(due) }, due);
        }),
      );
    }
    this.clock.set(to);
    return reports;
  }

  /**
   * Takes the timeouts due by the clock off the scheduler, as the relay does when it sends them,
   * without handling them yet: they are on their way, and cancelling can no longer stop them. For
   * races: deliver an event, then the timeout with `deliverTimeout`.
   */
  takeDue(): FakePendingTimeout[] {
    const due: FakePendingTimeout[] = [];
    for (let next = this.scheduler.nextDueBy(this.clock.now()); next; next = this.scheduler.nextDueBy(this.clock.now())) {
      this.scheduler.take(next.id);
      due.push(next);
    }
    return due;
  }

  /** Handles a timeout taken with `takeDue` (again, to see a redelivery dropped). */
  deliverTimeout(timeout: FakePendingTimeout): Promise<StepReport> {
    return this.inTransaction((unit) => this.runner.onTimeout({ ...unit, message: timeoutEnvelope(timeout) }, timeout));
  }

  instance<S = unknown>(process: ProcessManager | string, key: string): InstanceView<S> | undefined {
    const stored = this.store.get(typeof process === 'string' ? process : process.name, key);
    if (!stored) return undefined;
    const timeouts = Object.fromEntries(Object.entries(stored.timeouts).map(([name, { id, dueAt }]) => [name, { id, dueAt: new Date(dueAt) }]));
    return { state: stored.state as S, version: stored.version, completed: stored.completed, timeouts };
  }

  /** One step as a transaction: on a throw, the store, the timeouts and the published list are put back. */
  private async inTransaction<T>(work: (unit: StepUnit) => Promise<T>): Promise<T> {
    const restore = [this.store.snapshot(), this.scheduler.snapshot(), this.publishedEvents.length] as const;
    try {
      return await work({ manager: NO_DATABASE, publish: (contract, data, options) => this.record(contract, data, options) });
    } catch (error) {
      this.store.restore(restore[0]);
      this.scheduler.restore(restore[1]);
      this.publishedEvents.length = restore[2];
      throw error;
    }
  }

  private async record<C extends EventContract>(contract: C, data: EventPayload<C>, options: PublishOptions): Promise<CloudEvent<EventPayload<C>>> {
    const parsed = contract.schema.safeParse(data);
    if (!parsed.success) throw new InvalidEventError(`${contract.type} payload is invalid: ${z.prettifyError(parsed.error)}`);
    this.publishedEvents.push({ type: contract.type, data: parsed.data, subject: options.subject, options });
    return createCloudEvent({ source: '/process-manager-test-bed', type: contract.type, subject: options.subject, data: parsed.data as EventPayload<C>, correlationId: randomUUID() });
  }
}

/** A timeout as the consumer would receive it: its id is the event id. */
function timeoutEnvelope(timeout: FakePendingTimeout): CloudEvent {
  const { id, process, key, timeout: name, data } = timeout;
  return {
    ...createCloudEvent({ source: '/process-manager-test-bed', type: ProcessManagerTimeout.type, subject: timeoutSubject(process, key), data: { process, key, timeout: name, data }, correlationId: randomUUID() }),
    id,
  };
}

/** Any use of the transaction in a unit spec says why it is not there. */
const NO_DATABASE = new Proxy(
  {},
  {
    get: (_target, property) => {
      throw new Error(`step.manager.${String(property)}: there is no database in ProcessManagerTestBed; cover database writes in an integration spec`);
    },
  },
) as EntityManager;

/** Instances kept as JSON text, as jsonb would: a Date in the state comes back as a string, as in production. */
class MemoryInstanceStore implements InstanceStore {
  private rows = new Map<string, string>();

  async lock(_manager: EntityManager, process: string, key: string, initial?: object): Promise<LockedInstance | undefined> {
    const stored = this.get(process, key);
    if (stored) return { instance: stored, created: false };
    if (!initial) return undefined;
    const instance: ProcessInstance = { state: initial, version: 0, completed: false, timeouts: {} };
    this.rows.set(rowKey(process, key), JSON.stringify(instance));
    return { instance: this.get(process, key) as ProcessInstance, created: true };
  }

  async save(_manager: EntityManager, process: string, key: string, instance: ProcessInstance): Promise<void> {
    this.rows.set(rowKey(process, key), JSON.stringify(instance));
  }

  get(process: string, key: string): ProcessInstance | undefined {
    const row = this.rows.get(rowKey(process, key));
    return row === undefined ? undefined : (JSON.parse(row) as ProcessInstance);
  }

  snapshot(): Map<string, string> {
    return new Map(this.rows);
  }

  restore(rows: Map<string, string>): void {
    this.rows = rows;
  }
}

/** Timeouts due by the fake clock; `delayMs` counts from the clock's time when the step runs. */
class FakeTimeoutScheduler implements TimeoutScheduler {
  private pending: FakePendingTimeout[] = [];

  constructor(private readonly clock: FakeClock) {}

  async schedule(_manager: EntityManager, request: TimeoutRequest): Promise<ScheduledTimeout> {
    const dueAt = 'at' in request.due ? new Date(request.due.at) : new Date(this.clock.now().getTime() + request.due.delayMs);
    const timeout: FakePendingTimeout = { id: randomUUID(), process: request.process, key: request.key, timeout: request.timeout, data: JSON.parse(JSON.stringify(request.data ?? null)), dueAt };
    this.pending.push(timeout);
    return { id: timeout.id, dueAt };
  }

  async cancel(_manager: EntityManager, ids: readonly string[]): Promise<void> {
    this.pending = this.pending.filter((timeout) => !ids.includes(timeout.id));
  }

  pendingInDueOrder(): FakePendingTimeout[] {
    // Stable sort: timeouts due at the same instant fire in the order they were asked for.
    return [...this.pending].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  }

  nextDueBy(to: Date): FakePendingTimeout | undefined {
    const next = this.pendingInDueOrder()[0];
    return next && next.dueAt.getTime() <= to.getTime() ? next : undefined;
  }

  take(id: string): void {
    this.pending = this.pending.filter((timeout) => timeout.id !== id);
  }

  snapshot(): FakePendingTimeout[] {
    return [...this.pending];
  }

  restore(pending: FakePendingTimeout[]): void {
    this.pending = pending;
  }
}

const rowKey = (process: string, key: string) => `${process}\u0000${key}`;
