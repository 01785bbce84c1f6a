import {
  applyTopology,
  createSnsClient,
  createSqsClient,
  defineEvent,
  defineService,
  loadConfig,
  MessagingModule,
  messagingEnvSchema,
  planTopology,
  ScheduledJob,
  ScheduledJobRunner,
  SchedulingModule,
  type MessagingConfig,
  type ScheduledRun,
} from '@app/messaging';
import { isolatedEnvironment, waitFor } from '@app/messaging/testing';
import { Injectable, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { z } from 'zod';

const TickHappened = defineEvent({ type: 'test.tick.happened.v1', topic: 'ticks', schema: z.object({ slotStart: z.string() }) });
const tickerTopology = defineService({ service: 'ticker', publishes: [TickHappened], consumes: [] });

/** What the job does, per replica: its interval, how many runs to fail first, the slots it ran. */
class JobBehaviour {
  readonly slots: string[] = [];

  constructor(
    readonly intervalMs: number,
    public failuresLeft = 0,
  ) {}
}

@Injectable()
class TickJob extends ScheduledJob {
  readonly name = 'tick';
  readonly intervalMs: number;

  constructor(private readonly behaviour: JobBehaviour) {
    super();
    this.intervalMs = behaviour.intervalMs;
  }

  async run(run: ScheduledRun): Promise<void> {
    if (this.behaviour.failuresLeft > 0) {
      this.behaviour.failuresLeft -= 1;
      throw new Error('transient failure');
    }
    this.behaviour.slots.push(run.slotStart.toISOString());
    await run.publish(TickHappened, { slotStart: run.slotStart.toISOString() }, { subject: 'tick', correlationId: `tick-${run.slotStart.getTime()}` });
  }
}

@Module({})
class TickerModule {
  static forRoot(config: MessagingConfig, behaviour: JobBehaviour): DynamicModule {
    const database = { schema: 'ticker', entities: [], migrations: [] };
    return {
      module: TickerModule,
      imports: [MessagingModule.forRoot({ topology: tickerTopology, config, database }), SchedulingModule],
      providers: [{ provide: JobBehaviour, useValue: behaviour }, TickJob],
    };
  }
}

describe('scheduled jobs across replicas', () => {
  const apps: INestApplication[] = [];

  async function world(overrides: NodeJS.ProcessEnv = {}) {
    const env = await isolatedEnvironment(overrides);
    const config = loadConfig(messagingEnvSchema, env);
    const sns = createSnsClient(config.aws);
    const sqs = createSqsClient(config.aws);
    await applyTopology(planTopology([tickerTopology], { prefix: config.topologyPrefix, maxReceiveCount: 3 }), { sns, sqs }, {
      aws: config.aws,
      prefix: config.topologyPrefix,
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 30,
    });
    sns.destroy();
    sqs.destroy();
    const startReplica = async (intervalMs: number, options: { failuresLeft?: number } = {}) => {
      const behaviour = new JobBehaviour(intervalMs, options.failuresLeft);
      const app = await NestFactory.create(TickerModule.forRoot(config, behaviour), { logger: false, abortOnError: false });
      apps.push(app);
      await app.init();
      return { app, behaviour, runner: app.get(ScheduledJobRunner), job: app.get(TickJob) };
    };
    return { env, startReplica };
  }

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('runs a job once per interval however many replicas tick', async () => {
    const { startReplica } = await world();
    // A day-long interval: every tick in this test falls in the same one.
    const replicas = await Promise.all([1, 2, 3].map(() => startReplica(24 * 60 * 60 * 1000)));
    const slots = () => replicas.flatMap(({ behaviour }) => behaviour.slots);
    await waitFor(() => slots().length > 0 || undefined, { what: 'a start-up tick to run the interval' });
    // Asked one after the other (at once they would mostly find each other "busy"), each replica
    // finds the interval done.
    for (const { runner, job } of replicas) {
      const outcome = await waitFor(async () => {
        const result = await runner.runOnce(job);
        return result === 'busy' || result === 'overlapping' ? undefined : result;
      }, { what: 'the replica to get the lock' });
      expect(outcome).toBe('not-due');
    }
    expect(slots()).toHaveLength(1);
  });

  it('never runs one interval twice when replicas tick often', async () => {
    const { startReplica } = await world();
    const replicas = await Promise.all([1, 2].map(() => startReplica(100)));
    const slots = () => replicas.flatMap(({ behaviour }) => behaviour.slots);
    await waitFor(() => slots().length >= 5 || undefined, { what: 'five runs' });
    expect(new Set(slots()).size).toBe(slots().length);
  });

  it('retries a failed run in the same interval, and commits what a run publishes with it', async () => {
    const { env, startReplica } = await world();
    const { runner, job, behaviour } = await startReplica(24 * 60 * 60 * 1000, { failuresLeft: 1 });
    // The start-up tick failed and rolled back: the interval is still due.
    const outcome = await waitFor(async () => {
      const result = await runner.runOnce(job);
      return result === 'overlapping' ? undefined : result;
    });
    expect(outcome).toBe('ran');
    expect(behaviour.slots).toHaveLength(1);

    const client = new Client({ host: env.PGHOST, port: Number(env.PGPORT), user: env.PGUSER, password: env.PGPASSWORD, database: env.PGDATABASE });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT envelope FROM ticker.outbox_messages WHERE type = $1`, [TickHappened.type]);
      expect(rows).toHaveLength(1);
      expect(rows[0].envelope).toMatchObject({ correlationid: `tick-${Date.parse(behaviour.slots[0])}`, data: { slotStart: behaviour.slots[0] } });
    } finally {
      await client.end();
    }
  });
});
