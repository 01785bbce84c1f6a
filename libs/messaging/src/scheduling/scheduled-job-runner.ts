import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { runInMessageContext } from '../context/message-context';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { Outbox } from '../outbox/outbox';
import { SCHEDULED_JOB_RUNS_TABLE } from './scheduled-job-runs.migration';
import { assertValidJob, ScheduledJob, ScheduledRun } from './scheduled-job';

/**
 * What one attempt came to: `ran`; `busy` when another replica holds the job right now; `not-due`
 * when this interval has already been run (here or elsewhere); `overlapping` when this replica's
 * previous run is still going.
 */
export type RunOutcome = 'ran' | 'busy' | 'not-due' | 'overlapping';

/**
 * Runs every ScheduledJob of the service on its interval, once per interval across all replicas.
 *
 * Every replica ticks; each tick opens a transaction and takes the job's advisory lock with
 * `pg_try_advisory_xact_lock`, so a replica that finds the job busy returns at once instead of
 * queueing behind a long run. The lock alone would let replicas run one after the other in the same
 * interval, so the holder then claims the current interval in `scheduled_job_runs` (intervals are
 * cut from the database clock, which all replicas share) and runs only if it was not claimed yet.
 * The lock is released by the commit or rollback: a crashed run leaves nothing behind.
 */
@Injectable()
export class ScheduledJobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduledJobRunner.name);
  private readonly running = new Map<ScheduledJob, Promise<RunOutcome>>();
  private readonly intervalNames: string[] = [];
  private jobs: ScheduledJob[] = [];
  private stopping = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: SchedulerRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly metrics: MessagingMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.jobs = this.discoverJobs();
    if (this.jobs.length === 0) return;
    for (const job of this.jobs) {
      const name = `scheduled-job:${this.options.topology.service}:${job.name}`;
      this.registry.addInterval(name, setInterval(() => void this.tick(job), job.intervalMs));
      this.intervalNames.push(name);
      // A replica starting after downtime catches up now rather than one interval later.
      void this.tick(job);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const name of this.intervalNames) {
      if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
    }
    // A run holds a database transaction: let it commit before the data source closes.
    await Promise.allSettled([...this.running.values()]);
  }

  /** The jobs this service runs, by name. */
  get scheduledJobs(): readonly ScheduledJob[] {
    return this.jobs;
  }

  /** One attempt at a job, as a tick makes it; for tests and scripts as well. */
  runOnce(job: ScheduledJob): Promise<RunOutcome> {
    const inFlight = this.running.get(job);
    if (inFlight) return Promise.resolve('overlapping');
    const attempt = this.attempt(job).finally(() => this.running.delete(job));
    this.running.set(job, attempt);
    return attempt;
  }

  private async tick(job: ScheduledJob): Promise<void> {
    if (this.stopping) return;
    const startedAt = Date.now();
    try {
      const outcome = await this.runOnce(job);
      this.metrics.scheduledRuns.inc({ job: job.name, outcome });
      if (outcome === 'ran') this.logger.debug({ job: job.name, durationMs: Date.now() - startedAt }, 'Scheduled job ran');
    } catch (error) {
      this.metrics.scheduledRuns.inc({ job: job.name, outcome: 'failed' });
      this.logger.warn({ err: error, job: job.name }, 'Scheduled job failed; the next tick tries again');
    }
  }

  private attempt(job: ScheduledJob): Promise<RunOutcome> {
    const table = `"${this.schema}"."${SCHEDULED_JOB_RUNS_TABLE}"`;
    const lockKey = `schedule:${this.schema}:${job.name}`;
    return runInMessageContext({ correlationId: randomUUID() }, () =>
      this.dataSource.transaction(async (manager): Promise<RunOutcome> => {
        const [{ locked }]: { locked: boolean }[] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [lockKey]);
        if (!locked) return 'busy';
        // The interval is cut from the database clock, so replicas with skewed clocks agree on it.
        const claimed: { slot_start: Date }[] = await manager.query(
          `INSERT INTO ${table} AS runs (job, slot_start, last_run_at)
           VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) * 1000 / $2::numeric) * $2::numeric / 1000), now())
           ON CONFLICT (job) DO UPDATE SET slot_start = EXCLUDED.slot_start, last_run_at = EXCLUDED.last_run_at
           WHERE runs.slot_start < EXCLUDED.slot_start
           RETURNING slot_start`,
          [job.name, job.intervalMs],
        );
        if (claimed.length === 0) return 'not-due';
        await job.run(new ScheduledRun(job.name, claimed[0].slot_start, manager, this.outbox));
        return 'ran';
      }),
    );
  }

  private discoverJobs(): ScheduledJob[] {
    const jobs = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is ScheduledJob => instance instanceof ScheduledJob);
    const seen = new Set<string>();
    for (const job of jobs) {
      assertValidJob(job);
      if (seen.has(job.name)) throw new Error(`Two scheduled jobs of "${this.options.topology.service}" are called "${job.name}"`);
      seen.add(job.name);
    }
    return jobs;
  }

  private get schema(): string {
    return (this.dataSource.options as { schema: string }).schema;
  }
}
