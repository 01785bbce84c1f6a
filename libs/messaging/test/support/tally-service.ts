import {
  defineEvent,
  defineService,
  defineTimeout,
  Handles,
  MessagingModule,
  OnTimeout,
  ProcessManager,
  ProcessManagerModule,
  ProcessManagerTimeout,
  StartedBy,
  type EventPayload,
  type MessagingConfig,
  type ProcessStep,
  type TimeoutPayload,
} from '@app/messaging';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { z } from 'zod';
import { testServiceWorld, type TestServiceWorld } from './test-service-world';

/** A domain-free process for the library's process-manager specs: a tally adds up counts until closed. */
export const TallyCounted = defineEvent({ type: 'test.tally.counted.v1', topic: 'tallies', schema: z.object({ tallyId: z.string(), amount: z.int() }) });
export const TallyClosed = defineEvent({ type: 'test.tally.closed.v1', topic: 'tallies', schema: z.object({ tallyId: z.string() }) });
/** The tally's deadline is lifted: it stays open until closed. */
export const TallyDeadlineLifted = defineEvent({ type: 'test.tally.deadline-lifted.v1', topic: 'tallies', schema: z.object({ tallyId: z.string() }) });
export const TallyTotalled = defineEvent({
  type: 'test.tally.totalled.v1',
  topic: 'tallies',
  schema: z.object({ tallyId: z.string(), total: z.int(), counts: z.int(), closedBy: z.enum(['closing', 'deadline']) }),
});

export const TallyDeadline = defineTimeout({ name: 'tally-deadline', schema: z.object({ tallyId: z.string() }) });

export interface TallyState {
  total: number;
  counts: number;
}

/** Holds a step open (its instance row locked) until the spec releases it. */
export class StepGate {
  private markEntered!: () => void;
  private open!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  /** Resolves once a step reached the gate. */
  readonly entered = new Promise<void>((resolve) => (this.markEntered = resolve));

  async pass(): Promise<void> {
    this.markEntered();
    await this.opened;
  }

  release(): void {
    this.open();
  }
}

/** What the process manager does, set per test: gates on particular steps, and the deadline of new tallies. */
@Injectable()
export class TallyBehaviour {
  /** By `<tallyId>:<amount>`, `<tallyId>:closed` or `<tallyId>:deadline`; the same gate on every replica. */
  readonly gates = new Map<string, StepGate>();
  readonly deadlines = new Map<string, number>();

  async step(tallyId: string, what: number | 'closed' | 'deadline'): Promise<void> {
    await this.gates.get(`${tallyId}:${what}`)?.pass();
  }

  deadlineOf(tallyId: string): number {
    return this.deadlines.get(tallyId) ?? TALLY_DEADLINE_MS;
  }
}

/** A month: a tally left open is totalled by its deadline. */
export const TALLY_DEADLINE_MS = 30 * 24 * 3600 * 1000;

@Injectable()
export class TallyProcess extends ProcessManager<TallyState> {
  readonly name = 'tally';

  constructor(private readonly behaviour: TallyBehaviour) {
    super();
  }

  initialState(): TallyState {
    return { total: 0, counts: 0 };
  }

  @StartedBy(TallyCounted, { correlate: (count) => count.tallyId })
  async counted(count: EventPayload<typeof TallyCounted>, step: ProcessStep<TallyState>): Promise<void> {
    // Read, wait, write: the window in which an unguarded concurrent step would lose this update.
    const before = step.state.total;
    await this.behaviour.step(count.tallyId, count.amount);
    step.state.total = before + count.amount;
    step.state.counts += 1;
    if (step.isNew) step.requestTimeout(TallyDeadline, { tallyId: count.tallyId }, { delayMs: this.behaviour.deadlineOf(count.tallyId) });
  }

  @Handles(TallyClosed, { correlate: (closed) => closed.tallyId })
  async closed(closed: EventPayload<typeof TallyClosed>, step: ProcessStep<TallyState>): Promise<void> {
    await this.behaviour.step(closed.tallyId, 'closed');
    await this.total(step, 'closing');
  }

  @Handles(TallyDeadlineLifted, { correlate: (lifted) => lifted.tallyId })
  lifted(_lifted: EventPayload<typeof TallyDeadlineLifted>, step: ProcessStep<TallyState>): void {
    step.cancelTimeout(TallyDeadline);
  }

  @OnTimeout(TallyDeadline)
  async deadline(deadline: TimeoutPayload<typeof TallyDeadline>, step: ProcessStep<TallyState>): Promise<void> {
    await this.behaviour.step(deadline.tallyId, 'deadline');
    await this.total(step, 'deadline');
  }

  private async total(step: ProcessStep<TallyState>, closedBy: 'closing' | 'deadline'): Promise<void> {
    await step.publish(TallyTotalled, { tallyId: step.key, total: step.state.total, counts: step.state.counts, closedBy }, { subject: step.key });
    step.complete();
  }
}

export const tallyTopology = defineService({
  service: 'tallies',
  publishes: [TallyTotalled],
  consumes: [TallyCounted, TallyClosed, TallyDeadlineLifted, ProcessManagerTimeout],
});

export const tallyDatabase = { schema: 'tallies', entities: [], migrations: [] };

@Module({})
class TallyModule {
  static forRoot(config: MessagingConfig): DynamicModule {
    return {
      module: TallyModule,
      imports: [MessagingModule.forRoot({ topology: tallyTopology, config, database: tallyDatabase }), ProcessManagerModule],
      providers: [TallyBehaviour, TallyProcess],
    };
  }
}

/** An isolated database and topology for one spec, provisioned, with replicas started on demand. */
export function tallyWorld(overrides: NodeJS.ProcessEnv = {}): Promise<TestServiceWorld> {
  return testServiceWorld(tallyTopology, (config) => TallyModule.forRoot(config), overrides);
}
