import { z } from 'zod';
import { defineEvent, type EventPayload } from '../contracts/event-contract';
import { InvalidEventError, PoisonMessageError } from '../errors/messaging-errors';
import { ProcessManagerTestBed } from '../testing/process-manager-test-bed';
import { defineTimeout, ProcessManager, type TimeoutPayload } from './process-manager';
import { Handles, OnTimeout, StartedBy } from './process-routes';
import type { ProcessStep } from './process-step';

const KitOrdered = defineEvent({ type: 'test.kit.ordered.v1', topic: 'kits', schema: z.object({ kitId: z.string(), parts: z.int().positive() }) });
const PartArrived = defineEvent({ type: 'test.part.arrived.v1', topic: 'kits', schema: z.object({ kitId: z.string(), part: z.string() }) });
const KitCancelled = defineEvent({ type: 'test.kit.cancelled.v1', topic: 'kits', schema: z.object({ kitId: z.string() }) });
const KitAssembled = defineEvent({ type: 'test.kit.assembled.v1', topic: 'kits', schema: z.object({ kitId: z.string() }) });
const KitAbandoned = defineEvent({ type: 'test.kit.abandoned.v1', topic: 'kits', schema: z.object({ kitId: z.string(), missing: z.int() }) });
const ReminderSent = defineEvent({ type: 'test.kit.reminded.v1', topic: 'kits', schema: z.object({ kitId: z.string() }) });

const AssemblyDeadline = defineTimeout({ name: 'assembly-deadline', schema: z.object({ kitId: z.string() }) });
const Reminder = defineTimeout({ name: 'reminder', schema: z.object({ kitId: z.string() }) });

interface KitState {
  parts: number;
  arrived: string[];
  reminders: number;
}

const HOUR = 60 * 60 * 1000;

/** Waits for every part of a kit for a day; reminds the supplier every hour until then. */
class KitAssembly extends ProcessManager<KitState> {
  readonly name = 'kit-assembly';
  failNextArrival = false;
  /** Ids of the messages the deadline steps handled. */
  readonly deadlineMessages: (string | undefined)[] = [];

  initialState(): KitState {
    return { parts: 0, arrived: [], reminders: 0 };
  }

  @StartedBy(KitOrdered, { correlate: (kit) => kit.kitId })
  ordered(kit: EventPayload<typeof KitOrdered>, step: ProcessStep<KitState>): void {
    step.state.parts = kit.parts;
    step.requestTimeout(AssemblyDeadline, { kitId: kit.kitId }, { delayMs: 24 * HOUR });
    step.requestTimeout(Reminder, { kitId: kit.kitId }, { delayMs: HOUR });
  }

  @Handles(PartArrived, { correlate: (part) => part.kitId })
  async arrived(part: EventPayload<typeof PartArrived>, step: ProcessStep<KitState>): Promise<void> {
    step.state.arrived.push(part.part);
    await step.publish(ReminderSent, { kitId: part.kitId }, { subject: part.kitId });
    if (this.failNextArrival) {
      this.failNextArrival = false;
      throw new Error('transient');
    }
    if (step.state.arrived.length === step.state.parts) {
      await step.publish(KitAssembled, { kitId: part.kitId }, { subject: part.kitId });
      step.complete();
    }
  }

  /** Correlated by subject (the default); a cancelled kit's process may run again for a new order. */
  @Handles(KitCancelled, { ifCompleted: 'ignore' })
  cancelled(_kit: EventPayload<typeof KitCancelled>, step: ProcessStep<KitState>): void {
    step.cancelTimeout(Reminder);
  }

  @OnTimeout(Reminder)
  remind(_timeout: TimeoutPayload<typeof Reminder>, step: ProcessStep<KitState>): void {
    step.state.reminders += 1;
    // Asking again for the same timeout reschedules it: one reminder pending at a time.
    step.requestTimeout(Reminder, { kitId: step.key }, { delayMs: HOUR });
  }

  @OnTimeout(AssemblyDeadline)
  async deadline(timeout: TimeoutPayload<typeof AssemblyDeadline>, step: ProcessStep<KitState>): Promise<void> {
    this.deadlineMessages.push(step.message?.id);
    await step.publish(KitAbandoned, { kitId: timeout.kitId, missing: step.state.parts - step.state.arrived.length }, { subject: timeout.kitId });
    step.complete();
  }
}

/** Same kit ids, but a new order after completion starts a fresh run. */
class KitReorders extends ProcessManager<{ orders: number }> {
  readonly name = 'kit-reorders';
  initialState() {
    return { orders: 0 };
  }

  @StartedBy(KitOrdered, { correlate: (kit) => kit.kitId, ifCompleted: 'restart' })
  ordered(_kit: EventPayload<typeof KitOrdered>, step: ProcessStep<{ orders: number }>): void {
    step.state.orders += 1;
    step.complete();
  }
}

const START = new Date('2030-01-01T00:00:00Z');

function bedWith(...processes: ProcessManager[]) {
  return new ProcessManagerTestBed(processes, { now: START });
}

describe('process managers (fake time)', () => {
  it('starts an instance on its start event, with its timeouts due by the clock', async () => {
    const bed = bedWith(new KitAssembly());
    const [report] = await bed.deliver(KitOrdered, { kitId: 'k1', parts: 2 });
    expect(report).toEqual({ process: 'kit-assembly', key: 'k1', outcome: 'started', version: 1, completed: false });
    const instance = bed.instance<KitState>('kit-assembly', 'k1');
    expect(instance?.state).toEqual({ parts: 2, arrived: [], reminders: 0 });
    expect(instance?.timeouts['assembly-deadline'].dueAt).toEqual(new Date(START.getTime() + 24 * HOUR));
    expect(bed.pendingTimeouts.map((timeout) => timeout.timeout)).toEqual(['reminder', 'assembly-deadline']);
  });

  it('fires a timeout when the clock reaches it, not before, and once', async () => {
    const bed = bedWith(new KitAssembly());
    await bed.deliver(KitOrdered, { kitId: 'k1', parts: 2 });
    expect(await bed.advance(HOUR - 1)).toEqual([]);
    const fired = await bed.advance(1);
    expect(fired).toEqual([{ process: 'kit-assembly', key: 'k1', outcome: 'handled', version: 2, completed: false }]);
    expect(bed.instance<KitState>('kit-assembly', 'k1')?.state.reminders).toBe(1);
  });

  it('fires the timeouts that fall due on the way in due order, including ones they schedule', async () => {
    const bed = bedWith(new KitAssembly());
    await bed.deliver(KitOrdered, { kitId: 'k1', parts: 2 });
    const fired = await bed.advance(24 * HOUR);
    // Reminders at 1 h … 23 h, then the deadline at 24 h (its reminder, also due at 24 h, came later).
    expect(bed.instance<KitState>('kit-assembly', 'k1')?.state.reminders).toBe(23);
    expect(fired.at(-1)).toMatchObject({ outcome: 'handled', completed: true });
    expect(bed.published).toEqual([expect.objectContaining({ type: KitAbandoned.type, data: { kitId: 'k1', missing: 2 } })]);
    expect(bed.pendingTimeouts).toEqual([]);
  });

  it('cancels every pending timeout on completion, so nothing fires afterwards', async () => {
    const bed = bedWith(new KitAssembly());
    await bed.deliver(KitOrdered, { kitId: 'k1', parts: 2 });
    await bed.deliver(PartArrived, { kitId: 'k1', part: 'wheel' });
    const [report] = await bed.deliver(PartArrived, { kitId: 'k1', part: 'frame' });
    expect(report).toMatchObject({ outcome: 'handled', completed: true });
    expect(bed.pendingTimeouts).toEqual([]);
    expect(await bed.advance(30 * 24 * HOUR)).toEqual([]);
    expect(bed.published.map((event) => event.type)).toEqual([ReminderSent.type, ReminderSent.type, KitAssembled.type]);
  });

  it('drops a timeout already on its way when the instance completed before it arrived', async () => {
    const bed = bedWith(new KitAssembly());
    await bed.deliver(KitOrdered, { kitId: 'k1', parts: 1 });
    bed.clock.set(new Date(START.getTime() + 24 * HOUR));
    const inFlight = bed.takeDue();
    expect(inFlight.map((timeout) => timeout.timeout)).toEqual(['reminder', 'assembly-deadline']);
    await bed.deliver(PartArrived, { kitId: 'k1', part: 'wheel' });
    for (const timeout of inFlight) {
      expect(await bed.deliverTimeout(timeout)).toMatchObject({ outcome: 'ignored', reason: 'completed-instance' });
    }
    expect(bed.published.map((event) => event.type)).not.toContain(KitAbandoned.type);
  });

  it('drops a timeout that was rescheduled or cancelled while on its way, and a second copy of one handled', async () => {
    const bed = bedWith(new KitAssembly());
    await bed.deliver(KitOrdered, { kitId: 'k1', parts: 2 }, { subject: 'k1' });
    bed.clock.set(new Date(START.getTime() + HOUR));
    const [reminder] = bed.takeDue();
    expect(await bed.deliverTimeout(reminder)).toMatchObject({ outcome: 'handled' });
    expect(await bed.deliverTimeout(reminder)).toMatchObject({ outcome: 'ignored', reason: 'stale-timeout' });

    bed.clock.set(new Date(START.getTime() + 2 * HOUR));
    const [second] = bed.takeDue();
    await bed.deliver(KitCancelled, { kitId: 'k1' }, { subject: 'k1' });
    expect(await bed.deliverTimeout(second)).toMatchObject({ outcome: 'ignored', reason: 'stale-timeout' });
    expect(bed.instance<KitState>('kit-assembly', 'k1')?.state.reminders).toBe(1);
    expect(Object.keys(bed.instance('kit-assembly', 'k1')?.timeouts ?? {})).toEqual(['assembly-deadline']);
  });

  it('ignores an event for an instance that does not exist, unless the event starts one', async () => {
    const bed = bedWith(new KitAssembly());
    expect(await bed.deliver(PartArrived, { kitId: 'nobody', part: 'wheel' })).toEqual([
      { process: 'kit-assembly', key: 'nobody', outcome: 'ignored', reason: 'unknown-instance' },
    ]);
    expect(bed.instance('kit-assembly', 'nobody')).toBeUndefined();
    expect(bed.published).toEqual([]);
  });

  it('ignores an event for a completed instance by default, and restarts it where the handler says so', async () => {
    const assembly = new KitAssembly();
    const reorders = new KitReorders();
    const bed = bedWith(assembly, reorders);
    await bed.deliver(KitOrdered, { kitId: 'k1', parts: 1 });
    await bed.deliver(PartArrived, { kitId: 'k1', part: 'wheel' });
    const reports = await bed.deliver(KitOrdered, { kitId: 'k1', parts: 1 });
    expect(reports).toEqual([
      { process: 'kit-assembly', key: 'k1', outcome: 'ignored', reason: 'completed-instance' },
      { process: 'kit-reorders', key: 'k1', outcome: 'restarted', version: 2, completed: true },
    ]);
    expect(bed.instance('kit-reorders', 'k1')?.state).toEqual({ orders: 1 });
  });

  it('leaves no state, timeout or published event behind when a handler throws', async () => {
    const assembly = new KitAssembly();
    const bed = bedWith(assembly);
    await bed.deliver(KitOrdered, { kitId: 'k1', parts: 1 });
    assembly.failNextArrival = true;
    await expect(bed.deliver(PartArrived, { kitId: 'k1', part: 'wheel' }, { id: 'arrival-1' })).rejects.toThrow('transient');
    expect(bed.instance<KitState>('kit-assembly', 'k1')).toMatchObject({ version: 1, completed: false, state: { arrived: [] } });
    expect(bed.published).toEqual([]);
    // The redelivery is handled: a failed attempt is not recorded as handled.
    expect(await bed.deliver(PartArrived, { kitId: 'k1', part: 'wheel' }, { id: 'arrival-1' })).toMatchObject([{ completed: true }]);
    expect(await bed.deliver(PartArrived, { kitId: 'k1', part: 'wheel' }, { id: 'arrival-1' })).toEqual([]);
  });

  it('dead-letters an event it cannot correlate, and refuses invalid timeout data or an unknown process manager', async () => {
    const assembly = new KitAssembly();
    const bed = bedWith(assembly);
    await expect(bed.deliver(KitCancelled, { kitId: 'k1' })).rejects.toBeInstanceOf(PoisonMessageError);
    await expect(bed.start(assembly, 'k1', (step) => step.requestTimeout(Reminder, { kitId: 42 } as never, { delayMs: 1 }))).rejects.toBeInstanceOf(InvalidEventError);
    expect(bed.instance('kit-assembly', 'k1')).toBeUndefined();
    await expect(bed.start(new UnregisteredAssembly(), 'k1', () => undefined)).rejects.toThrow('"unregistered" is not registered');
    await expect(bed.deliver(KitAssembled, { kitId: 'k1' })).rejects.toThrow(`No process manager of this test bed handles ${KitAssembled.type}`);
  });

  it('starts an instance from a use case, with a timeout at an absolute time', async () => {
    const assembly = new KitAssembly();
    const bed = bedWith(assembly);
    const due = new Date(START.getTime() + 3 * HOUR);
    await bed.start(assembly, 'k9', (step) => {
      step.state.parts = 1;
      step.requestTimeout(AssemblyDeadline, { kitId: 'k9' }, { at: due });
    });
    await expect(bed.start(assembly, 'k9', (step) => step.requestTimeout(AssemblyDeadline, { kitId: 'k9' }, { delayMs: -1 }))).rejects.toBeInstanceOf(InvalidEventError);
    const [pending] = bed.pendingTimeouts;
    const fired = await bed.advanceTo(due);
    expect(fired).toEqual([{ process: 'kit-assembly', key: 'k9', outcome: 'handled', version: 2, completed: true }]);
    // The step sees the message it handles: a timeout's id is its event id.
    expect(assembly.deadlineMessages).toEqual([pending.id]);
    expect(bed.clock.now()).toEqual(due);
  });
});

/** Not registered with the bed: starting it is a programming error that names it. */
class UnregisteredAssembly extends ProcessManager<object> {
  readonly name = 'unregistered';
  initialState() {
    return {};
  }
}
