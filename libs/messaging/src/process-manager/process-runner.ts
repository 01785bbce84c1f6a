import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { CloudEvent } from '../envelope/cloud-event';
import { PoisonMessageError } from '../errors/messaging-errors';
import type { ProcessCatalog } from './process-catalog';
import type { ProcessManager } from './process-manager';
import type { CompletedInstancePolicy, UnknownInstancePolicy } from './process-routes';
import { ProcessStep, type StepPublisher } from './process-step';
import type { InstanceStore, PendingTimeout, ProcessInstance } from './instance-store';
import type { TimeoutMessage, TimeoutScheduler } from './timeout-scheduler';

/** The transaction a step runs in, the outbox bound to it, and the message it handles (none from a use case). */
export interface StepUnit {
  readonly manager: EntityManager;
  readonly publish: StepPublisher;
  readonly message?: CloudEvent;
}

export type IgnoredReason = 'unknown-instance' | 'completed-instance' | 'stale-timeout';

/** What one message did to one instance. */
export type StepReport =
  | { readonly process: string; readonly key: string; readonly outcome: 'started' | 'handled' | 'restarted'; readonly version: number; readonly completed: boolean }
  | { readonly process: string; readonly key: string; readonly outcome: 'ignored'; readonly reason: IgnoredReason };

/** A step body: the decorated method bound to its data, or a use case's callback. */
type StepBody = (step: ProcessStep<object>) => Promise<void> | void;

interface StepPolicy {
  readonly ifUnknown: UnknownInstancePolicy;
  readonly ifCompleted: CompletedInstancePolicy;
  /** Set for a timeout: the step runs only if the instance still waits for this one. */
  readonly timeout?: { readonly name: string; readonly id: string };
}

/**
 * The core of process managers, free of Nest and of any transport: find and hold the instance,
 * apply the completion and timeout policies, run the handler, then save the state and settle the
 * timeouts, all in the caller's transaction. The consumer's unit of work (or a use case's
 * transaction, or the fake one of the testing kit) supplies that transaction.
 */
export class ProcessRunner {
  constructor(
    readonly catalog: ProcessCatalog,
    private readonly store: InstanceStore,
    private readonly scheduler: TimeoutScheduler,
  ) {}

  /** Every process manager that handles this event type takes its step, one after the other. */
  async onEvent(unit: StepUnit, envelope: CloudEvent, data: unknown): Promise<StepReport[]> {
    const reports: StepReport[] = [];
    for (const { process, route } of this.catalog.eventRoutes(envelope.type)) {
      const key = route.correlate(data, envelope);
      if (!key) {
        throw new PoisonMessageError('REJECTED_BY_HANDLER', `Process manager "${process.name}" finds no instance key in ${envelope.type} ${envelope.id}`);
      }
      const method = methodOf(process, route.method);
      reports.push(await this.step(unit, process, key, (step) => method.call(process, data, step), route));
    }
    return reports;
  }

  /** A timeout that has come due: run its handler if the instance still waits for it, drop it otherwise. */
  async onTimeout(unit: StepUnit, message: TimeoutMessage): Promise<StepReport> {
    const routed = this.catalog.timeoutRoute(message.process, message.timeout);
    if (!routed) {
      throw new PoisonMessageError('UNKNOWN_EVENT_TYPE', `No process manager "${message.process}" with a handler for timeout "${message.timeout}"`);
    }
    const { process, route } = routed;
    const parsed = route.timeout.schema.safeParse(message.data);
    if (!parsed.success) {
      throw new PoisonMessageError('SCHEMA_VIOLATION', `Timeout "${message.timeout}" of "${message.process}" ${message.id}: ${z.prettifyError(parsed.error)}`);
    }
    const method = methodOf(process, route.method);
    return this.step(unit, process, message.key, (step) => method.call(process, parsed.data, step), {
      ifUnknown: 'ignore',
      ifCompleted: 'ignore',
      timeout: { name: message.timeout, id: message.id },
    });
  }

  /** Starts (or continues) an instance from a use case's own transaction rather than from an event. */
  start<S extends object>(unit: StepUnit, process: ProcessManager<S>, key: string, body: (step: ProcessStep<S>) => Promise<void> | void, ifCompleted: CompletedInstancePolicy = 'ignore'): Promise<StepReport> {
    if (!this.catalog.has(process)) throw new Error(`Process manager "${process.name}" is not registered in this service`);
    return this.step(unit, process, key, body as StepBody, { ifUnknown: 'start', ifCompleted });
  }

  private async step(unit: StepUnit, process: ProcessManager, key: string, body: StepBody, policy: StepPolicy): Promise<StepReport> {
    const ignored = (reason: IgnoredReason): StepReport => ({ process: process.name, key, outcome: 'ignored', reason });
    const locked = await this.store.lock(unit.manager, process.name, key, policy.ifUnknown === 'start' ? process.initialState(key) : undefined);
    if (!locked) return ignored('unknown-instance');
    let { instance } = locked;
    let outcome: 'started' | 'handled' | 'restarted' = locked.created ? 'started' : 'handled';
    if (instance.completed) {
      if (policy.ifCompleted !== 'restart') return ignored('completed-instance');
      // Completion cancelled its timeouts, so the fresh run starts with none.
      instance = { state: process.initialState(key), version: instance.version, completed: false, timeouts: {} };
      outcome = 'restarted';
    }
    const timeouts = { ...instance.timeouts };
    if (policy.timeout) {
      // Cancelled, rescheduled (a newer id) or sent twice after the first was handled: not awaited any more.
      if (timeouts[policy.timeout.name]?.id !== policy.timeout.id) return ignored('stale-timeout');
      delete timeouts[policy.timeout.name];
    }

    // The handler works on a copy: a step that throws leaves nothing behind, even in memory.
    const step = new ProcessStep(key, structuredClone(instance.state), outcome !== 'handled', unit.manager, unit.message, unit.publish, new Set(Object.keys(timeouts)));
    await body(step);
    const { completed } = step.changes();
    const saved: ProcessInstance = {
      state: step.state,
      version: instance.version + 1,
      completed,
      timeouts: await this.settleTimeouts(unit.manager, process, key, timeouts, step),
    };
    await this.store.save(unit.manager, process.name, key, saved);
    return { process: process.name, key, outcome, version: saved.version, completed };
  }

  /** Applies what the step asked for: completion cancels everything; otherwise cancel, reschedule, schedule. */
  private async settleTimeouts(manager: EntityManager, process: ProcessManager, key: string, pending: Record<string, PendingTimeout>, step: ProcessStep<object>): Promise<Record<string, PendingTimeout>> {
    const { completed, requested, cancelled } = step.changes();
    const next = { ...pending };
    const withdrawn: string[] = [];
    const withdraw = (name: string) => {
      if (next[name]) withdrawn.push(next[name].id);
      delete next[name];
    };
    if (completed) {
      Object.keys(next).forEach(withdraw);
    } else {
      cancelled.forEach(withdraw);
      for (const [name, request] of requested) {
        withdraw(name);
        const scheduled = await this.scheduler.schedule(manager, { process: process.name, key, timeout: name, data: request.data, due: request.due });
        next[name] = { id: scheduled.id, dueAt: scheduled.dueAt.toISOString() };
      }
    }
    if (withdrawn.length > 0) await this.scheduler.cancel(manager, withdrawn);
    return next;
  }
}

function methodOf(process: ProcessManager, name: string | symbol): (data: unknown, step: ProcessStep<object>) => Promise<void> | void {
  const method = (process as unknown as Record<string | symbol, unknown>)[name];
  if (typeof method !== 'function') throw new Error(`Process manager "${process.name}" has no method ${String(name)}`);
  return method as (data: unknown, step: ProcessStep<object>) => Promise<void> | void;
}
