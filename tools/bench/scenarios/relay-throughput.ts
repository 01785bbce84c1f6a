import { OrderPlaced } from '@app/contracts';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { createSqsClient, locateQueue, TopologyNames } from '@app/messaging';
import type { Client } from 'pg';
import type { BenchContext } from '../bench-context';
import { monotonicMs } from '../infrastructure/ipc-protocol';
import { startLatencyProxy } from '../infrastructure/latency-proxy';
import type { ServiceChild } from '../infrastructure/service-child';
import { atLeast, compare, type Comparison } from '../report/results';
import { claimPlans } from './claim-plans';
import { Runs, type RunClock, type RunResult } from './runs';
import type { FloorRelayArgs } from '../services/floor-relay-main';
import { sinkTopology } from '../services/order-sink';
import { orderPlacedEvent } from '../workload/order-events';

export const OUTBOX = 'orders.outbox_messages';

/** Broker latency of the scaling-out runs when the run sets none: where one relay waits on SNS, not on the machine. */
export const SCALE_OUT_LATENCY_MS = 20;

/**
 * Relay throughput: N committed outbox rows to SNS, against a process of its own sending the same
 * payloads with PublishBatch, as many calls in flight as the relay may have (OUTBOX_BATCHES_IN_FLIGHT):
 * - on an emptied table whose statistics know the backlog (as once autovacuum has caught up);
 * - on a never-analysed table (no statistics, autovacuum off for it) with a burst of B rows: a new
 *   service, a restored database, the first burst after a deploy;
 * - over a table holding a million published rows;
 * - two relays against one, both behind a broker latency, where the broker and not the machine
 *   bounds one relay.
 *
 * The relay is idle (LISTENing) when the bench commits the rows in one transaction; the clock starts
 * at that COMMIT and stops when the relay's process has seen the last row marked published (its
 * MessagingObserver, whose tally each relay process pushes over IPC), so nothing polls the table
 * being drained, nor the relay.
 */
export async function relayThroughput(ctx: BenchContext): Promise<Comparison[]> {
  const { options, services, progress } = ctx;
  const concurrency = ctx.stack.config.outbox.batchesInFlight;
  const db = await ctx.stack.connect();
  const steps = 4 + options.repeats * (options.diagnose ? 8 : 7);
  let step = 0;
  const advance = (detail: string) => progress.phase(step++ / steps, detail);
  const relays: ServiceChild[] = [];
  const stopRelays = async () => {
    for (const relay of relays.splice(0)) await services.stop(relay);
  };
  const comparisons: Comparison[] = [];
  let publisher: ServiceChild | undefined;
  try {
    const orders = await services.start({ kind: 'orders', variant: 'outbox' });
    relays.push(orders);
    publisher = await services.start({ kind: 'publisher' });
    advance('warming up');
    await relayRun(ctx, db, relays, Math.min(1000, options.events));
    await publishDirect(publisher, Math.min(1000, options.events), concurrency);

    const direct = new Runs('relay, direct PublishBatch');
    const relay = new Runs('relay, emptied table');
    for (let run = 0; run < options.repeats; run++) {
      advance(`direct PublishBatch, ${options.events.toLocaleString('en-US')} events, run ${run + 1}/${options.repeats}`);
      await direct.measure(ctx, options.events, () => publishDirect(publisher as ServiceChild, options.events, concurrency));
      advance(`relay over an emptied table, run ${run + 1}/${options.repeats}`);
      await db.query(`TRUNCATE ${OUTBOX}`);
      await relay.measure(ctx, options.events, (clock) => relayRun(ctx, db, relays, options.events, { analyse: true, clock }));
    }
    const rate = (label: string, runs: Runs) => runs.figure(label, 'events/s');
    comparisons.push(compare('1. Relay', 'throughput, emptied table', rate('outbox relay', relay), rate('direct PublishBatch', direct), atLeast(0.8)));
    if (options.diagnose) {
      const floor = await floorRelayRuns(ctx, db, advance);
      comparisons.push(
        compare('1. Relay', 'the floor, emptied table', rate('the same SQL on raw pg', floor), rate('direct PublishBatch', direct)),
        compare('1. Relay', 'against the floor, emptied table', rate('outbox relay', relay), rate('the same SQL on raw pg', floor)),
      );
    }

    const burst = options.burst.toLocaleString('en-US');
    const directBurst = new Runs('relay, direct PublishBatch of a burst');
    const relayBurst = new Runs('relay, never-analysed table');
    for (let run = 0; run < options.repeats; run++) {
      advance(`direct PublishBatch, ${burst} events, run ${run + 1}/${options.repeats}`);
      await directBurst.measure(ctx, options.burst, () => publishDirect(publisher as ServiceChild, options.burst, concurrency));
      advance(`relay, ${burst}-row burst on a never-analysed table, run ${run + 1}/${options.repeats}`);
      await forgetStatistics(db);
      await relayBurst.measure(ctx, options.burst, (clock) => relayRun(ctx, db, relays, options.burst, { analyse: false, clock }));
    }
    advance(`the claim's plan on a never-analysed table`);
    await forgetStatistics(db);
    const planBurst = Math.min(options.burst, 5000);
    const plans = await claimPlans(ctx, db, 'never-analysed', (explaining) => relayRun(ctx, db, [...relays, explaining], planBurst, { analyse: false }));
    await db.query(`ALTER TABLE ${OUTBOX} RESET (autovacuum_enabled)`);
    comparisons.push(
      compare('1. Relay', `throughput, never-analysed table, ${burst}-row burst`, rate('outbox relay', relayBurst), rate('direct PublishBatch', directBurst), atLeast(0.8)),
      compare(
        '1. Relay',
        `claims planned as index scans, never-analysed table, ${planBurst.toLocaleString('en-US')}-row burst`,
        { label: plans.summary, value: plans.indexScans, unit: 'claims' },
        { label: 'claims', value: plans.claims, unit: 'claims' },
      ),
    );

    advance(`inserting ${options.publishedRows.toLocaleString('en-US')} published rows`);
    await db.query(`TRUNCATE ${OUTBOX}`);
    await insertPublishedRows(db, options.publishedRows);
    const largeTable = new Runs('relay, large table');
    for (let run = 0; run < options.repeats; run++) {
      advance(`relay over ${options.publishedRows.toLocaleString('en-US')} published rows, run ${run + 1}/${options.repeats}`);
      await largeTable.measure(ctx, options.events, (clock) => relayRun(ctx, db, relays, options.events, { analyse: true, clock }));
    }
    await db.query(`TRUNCATE ${OUTBOX}`);
    await stopRelays();
    await services.stop(publisher);
    publisher = undefined;
    const large = `${options.publishedRows >= 1e6 ? `${options.publishedRows / 1e6}M` : options.publishedRows.toLocaleString('en-US')} published rows`;
    comparisons.push(compare('1. Relay', 'large outbox table', rate(`relay, ${large}`, largeTable), rate('relay, emptied table', relay), atLeast(0.9)));

    comparisons.push(await scalingOut(ctx, db, relays, advance));
    await purgeSinkQueue(ctx);
    return comparisons;
  } finally {
    await stopRelays();
    if (publisher) await services.stop(publisher);
    await db.end();
  }
}

/**
 * One relay, then two sharing the outbox, with every SNS/SQS call of theirs delayed (the run's
 * --broker-latency, or SCALE_OUT_LATENCY_MS), so one relay is bound by waiting on the broker and a
 * second one has idle machine to use.
 */
async function scalingOut(ctx: BenchContext, db: Client, relays: ServiceChild[], advance: (detail: string) => void): Promise<Comparison> {
  const { options, services } = ctx;
  const latencyMs = options.brokerLatencyMs > 0 ? options.brokerLatencyMs : SCALE_OUT_LATENCY_MS;
  // With --broker-latency every service already goes through the run's proxy.
  const proxy = options.brokerLatencyMs > 0 ? undefined : await startLatencyProxy(ctx.stack.emulatorEndpoint, latencyMs);
  const env = proxy ? { AWS_ENDPOINT_URL: proxy.endpoint } : {};
  try {
    const one = new Runs(`relay, 1 relay, ${latencyMs} ms broker`);
    const two = new Runs(`relay, 2 relays, ${latencyMs} ms broker`);
    relays.push(await services.start({ kind: 'orders', variant: 'outbox' }, env));
    await relayRun(ctx, db, relays, Math.min(1000, options.events));
    for (let run = 0; run < options.repeats; run++) {
      advance(`1 relay, ${latencyMs} ms per broker call, run ${run + 1}/${options.repeats}`);
      await db.query(`TRUNCATE ${OUTBOX}`);
      await one.measure(ctx, options.events, (clock) => relayRun(ctx, db, relays, options.events, { analyse: true, clock }));
    }
    relays.push(await services.start({ kind: 'orders', variant: 'outbox' }, env));
    for (let run = 0; run < options.repeats; run++) {
      advance(`2 relays, ${latencyMs} ms per broker call, run ${run + 1}/${options.repeats}`);
      await db.query(`TRUNCATE ${OUTBOX}`);
      await two.measure(ctx, options.events, (clock) => relayRun(ctx, db, relays, options.events, { analyse: true, clock }));
    }
    await db.query(`TRUNCATE ${OUTBOX}`);
    return compare('1. Relay', `scaling out, ${latencyMs} ms per broker call`, two.figure('2 relays', 'events/s'), one.figure('1 relay', 'events/s'), atLeast(1.6));
  } finally {
    for (const relay of relays.splice(0)) await services.stop(relay);
    await proxy?.stop();
  }
}

/** The floor relay's copy of the outbox table (its columns, defaults and indexes; no trigger), out of the library relay's way. */
const FLOOR_OUTBOX = 'orders.bench_floor_outbox';

/**
 * The relay's SQL and nothing else (floor-relay-main), in a process of its own, over an emptied copy
 * of the outbox table: the rows are committed first, then it drains them, timed in its process.
 */
async function floorRelayRuns(ctx: BenchContext, db: Client, advance: (detail: string) => void): Promise<Runs> {
  const { options, services } = ctx;
  await db.query(`CREATE TABLE IF NOT EXISTS ${FLOOR_OUTBOX} (LIKE ${OUTBOX} INCLUDING ALL)`);
  const floor = await services.start({ kind: 'floor-relay' });
  try {
    const args: FloorRelayArgs = { table: FLOOR_OUTBOX, count: Math.min(1000, options.events), concurrency: ctx.stack.config.outbox.batchesInFlight };
    const drain = async (count: number, clock?: RunClock) => {
      await db.query(`TRUNCATE ${FLOOR_OUTBOX}`);
      await commitPending(db, count, { analyse: true, table: FLOOR_OUTBOX });
      clock?.start();
      const result = await floor.request<{ elapsedMs: number; sent: number }>('relay-floor', { ...args, count });
      clock?.stop();
      return (result.sent / result.elapsedMs) * 1000;
    };
    await drain(args.count);
    const runs = new Runs('relay, the floor');
    for (let run = 0; run < options.repeats; run++) {
      advance(`the floor relay over an emptied table, run ${run + 1}/${options.repeats}`);
      await runs.measure(ctx, options.events, (clock) => drain(options.events, clock));
    }
    await db.query(`DROP TABLE ${FLOOR_OUTBOX}`);
    return runs;
  } finally {
    await services.stop(floor);
  }
}

/** The direct baseline: `count` bodies with PublishBatch, `concurrency` calls in flight. */
async function publishDirect(publisher: ServiceChild, count: number, concurrency: number): Promise<number> {
  const result = await publisher.request<{ elapsedMs: number; sent: number }>('publish-direct', { count, concurrency });
  return (result.sent / result.elapsedMs) * 1000;
}

/**
 * A table as a new service has it: no planner statistics (TRUNCATE resets the page and row counts,
 * and the column statistics of earlier runs are deleted) and no autovacuum to gather them meanwhile.
 */
async function forgetStatistics(db: Client): Promise<void> {
  await db.query(`TRUNCATE ${OUTBOX}`);
  await db.query(`ALTER TABLE ${OUTBOX} SET (autovacuum_enabled = false)`);
  await db.query(`DELETE FROM pg_statistic WHERE starelid = '${OUTBOX}'::regclass`);
  const { rows } = await db.query<{ reltuples: number; columns: number }>(
    `SELECT reltuples, (SELECT count(*)::int FROM pg_statistic WHERE starelid = c.oid) AS columns FROM pg_class c WHERE c.oid = '${OUTBOX}'::regclass`,
  );
  if (rows[0].reltuples >= 0 || rows[0].columns > 0) throw new Error(`${OUTBOX} still has statistics after TRUNCATE (${rows[0].reltuples} rows, ${rows[0].columns} columns)`);
}

/**
 * Commits `count` OrderPlaced rows into `table` (the outbox unless told; with `dueTimers`, as timers
 * already due) in one transaction and returns when (by the monotonic clock) the COMMIT was sent. With
 * `analyse`, the table is analysed inside that transaction (ANALYZE counts the transaction's own
 * rows), so the planner knows the backlog, as it does once autovacuum has caught up.
 */
async function commitPending(
  db: Client,
  count: number,
  { analyse, dueTimers = false, clock, table = OUTBOX }: { analyse: boolean; dueTimers?: boolean; clock?: RunClock; table?: string },
): Promise<number> {
  const events = Array.from({ length: count }, orderPlacedEvent);
  await db.query('BEGIN');
  // Timers that are due: scheduled rows (as Outbox.publish with deliverAt writes them) whose time has come.
  const due = dueTimers ? [`, deliver_at, available_at`, `, now() - interval '1 second', now() - interval '1 second'`] : ['', ''];
  await db.query(
    `INSERT INTO ${table} (event_id, type, topic, envelope${due[0]})
     SELECT (e->>'id')::uuid, e->>'type', $2, e${due[1]} FROM json_array_elements($1::json) AS e`,
    [JSON.stringify(events), OrderPlaced.topic],
  );
  if (analyse) await db.query(`ANALYZE ${table}`);
  clock?.start();
  const start = monotonicMs();
  await db.query('COMMIT');
  return start;
}

/**
 * Commits `count` rows and times the relay(s) until their processes have marked all of them
 * published; then checks the table agrees. The index entries the relays' scans read meanwhile go to
 * the run's details: a claim that rereads what it already published shows here as O(N) per event.
 */
export async function relayRun(
  ctx: BenchContext,
  db: Client,
  relays: readonly ServiceChild[],
  count: number,
  { analyse = true, dueTimers = false, clock }: { analyse?: boolean; dueTimers?: boolean; clock?: RunClock } = {},
): Promise<RunResult> {
  const readBefore = await settledIndexReads(db);
  const tallies = await PublishedTallies.watch(relays, count);
  let start: number;
  let finishedAt: number;
  try {
    start = await commitPending(db, count, { analyse, dueTimers, clock });
    finishedAt = await tallies.finishedAt(start + 300_000);
    clock?.stop();
  } finally {
    await tallies.unwatch();
  }
  const { rows } = await db.query<{ pending: number; failed: number }>(
    `SELECT count(*) FILTER (WHERE published_at IS NULL AND (available_at IS NULL OR available_at <= now()))::int AS pending,
            count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failed FROM ${OUTBOX}`,
  );
  if (rows[0].failed > 0) throw new Error(`${rows[0].failed} outbox rows were refused by SNS`);
  if (rows[0].pending > 0) ctx.notes.push(`relay: the relays reported ${count} published while ${rows[0].pending} rows were still pending`);
  const rate = (count / (finishedAt - start)) * 1000;
  const read = (await settledIndexReads(db)) - readBefore;
  return { rate, details: { outboxIndexEntriesRead: read, indexEntriesReadPerEvent: Math.round((read / count) * 10) / 10 } };
}

/**
 * The `published` tallies the relays' processes push while they relay a run (PublishedTally in
 * service-main: a lone relay's once, at its last row; relays sharing the table at most every 100 ms
 * each), added up, since how several split the rows is not known beforehand. Nothing is sent to a
 * relay between `watch` and `unwatch`: the direct baseline it is compared with is asked nothing
 * mid-run either.
 */
class PublishedTallies {
  private readonly tallies: { count: number; lastAt: number }[];
  private readonly unsubscribes: (() => void)[];
  private exited?: Error;
  private wake = () => {};

  private constructor(
    private readonly relays: readonly ServiceChild[],
    private readonly count: number,
  ) {
    this.tallies = relays.map(() => ({ count: 0, lastAt: 0 }));
    this.unsubscribes = relays.map((relay, index) =>
      relay.onNotice<{ count: number; lastAt?: number }>(
        'published',
        (tally) => {
          this.tallies[index] = { count: tally.count, lastAt: tally.lastAt ?? 0 };
          this.wake();
        },
        (error) => {
          this.exited ??= error;
          this.wake();
        },
      ),
    );
  }

  /** Listens first, then tells every relay to count from zero: no tally of the run goes unheard. */
  static async watch(relays: readonly ServiceChild[], count: number): Promise<PublishedTallies> {
    const tallies = new PublishedTallies(relays, count);
    try {
      await Promise.all(relays.map((relay) => relay.request('watch-published', { count, shared: relays.length > 1 })));
    } catch (error) {
      await tallies.unwatch();
      throw error;
    }
    return tallies;
  }

  /**
   * When the last of the `count` rows was marked published, by the monotonic clock of the process
   * that marked it: exact however late its tally arrives. Waits for tallies, not on a timer.
   */
  async finishedAt(deadline: number): Promise<number> {
    for (;;) {
      if (this.exited) throw this.exited;
      // The relays together publish the run's `count` rows: once their tallies add up to it, none has more to come.
      if (this.tallies.reduce((sum, tally) => sum + tally.count, 0) >= this.count) return Math.max(...this.tallies.map((tally) => tally.lastAt));
      const left = deadline - monotonicMs();
      if (left <= 0) throw new Error('the relay did not publish every row within 5 minutes');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Stops listening, and the relays pushing (after the run's clock has stopped). */
  async unwatch(): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    // A relay that exited has nothing to stop, and the error that ended the run is the one to see.
    await Promise.all(this.relays.map((relay) => relay.request('unwatch-published').catch(() => undefined)));
  }
}

/**
 * Index entries read by every scan of the outbox's indexes so far (pg_stat_user_indexes), once the
 * backends have flushed their counts: Postgres publishes them at most once a second per backend, so
 * this waits until the sum holds still for 1.5 s (at most 12 s).
 */
async function settledIndexReads(db: Client): Promise<number> {
  const read = async () =>
    Number((await db.query<{ read: string }>(`SELECT coalesce(sum(idx_tup_read), 0)::bigint AS read FROM pg_stat_user_indexes WHERE relid = '${OUTBOX}'::regclass`)).rows[0].read);
  const deadline = monotonicMs() + 12_000;
  let last = await read();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const now = await read();
    if (now === last || monotonicMs() > deadline) return now;
    last = now;
  }
}

/**
 * A long-lived outbox: `count` rows published over the last days (inside the retention window, so
 * the janitor leaves them), written by the database itself in one statement, then vacuumed and
 * analysed as autovacuum would have.
 */
async function insertPublishedRows(db: Client, count: number): Promise<void> {
  const template = orderPlacedEvent();
  await db.query(
    `INSERT INTO ${OUTBOX} (event_id, type, topic, envelope, created_at, published_at, attempts)
     SELECT g.id, $2, $3, jsonb_set($1::jsonb, '{id}', to_jsonb(g.id::text))::json, g.at, g.at + interval '20 milliseconds', 1
     FROM (SELECT gen_random_uuid() AS id, now() - interval '3 days' + n * interval '200 milliseconds' AS at FROM generate_series(1, $4::int) AS n) AS g`,
    [JSON.stringify(template), OrderPlaced.type, OrderPlaced.topic, count],
  );
  await db.query(`VACUUM ANALYZE ${OUTBOX}`);
}

/** Everything relayed also landed on the sink's queue; the consumer scenario starts from an empty one. */
export async function purgeSinkQueue(ctx: BenchContext): Promise<void> {
  const sqs = createSqsClient(ctx.stack.config.aws);
  try {
    const queueUrl = await locateQueue(sqs, new TopologyNames(ctx.stack.config.topologyPrefix).queue(sinkTopology));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  } finally {
    sqs.destroy();
  }
}
