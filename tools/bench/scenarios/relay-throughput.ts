import { OrderPlaced } from '@app/contracts';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { createSqsClient, locateQueue, TopologyNames } from '@app/messaging';
import type { Client } from 'pg';
import type { BenchContext } from '../bench-context';
import { monotonicMs } from '../infrastructure/ipc-protocol';
import { atLeast, compare, type Comparison } from '../report/results';
import { Runs } from './runs';
import { sinkTopology } from '../services/order-sink';
import { orderPlacedEvent } from '../workload/order-events';

const OUTBOX = 'orders.outbox_messages';

/**
 * Relay throughput: N committed outbox rows to SNS, against the same process sending the same
 * payloads with PublishBatch; then the relay over a table holding a million published rows, and two
 * relays sharing one outbox.
 *
 * The relay is idle (LISTENing) when the bench commits the N rows in one transaction; the clock
 * starts at that COMMIT, whose NOTIFY wakes the relay, and stops when no row is left unpublished
 * (polled every 10 ms with an EXISTS that stops at the first pending row).
 */
export async function relayThroughput(ctx: BenchContext): Promise<Comparison[]> {
  const { options, services, progress } = ctx;
  const concurrency = ctx.stack.config.outbox.batchesInFlight;
  const db = await ctx.stack.connect();
  const steps = 2 + options.repeats * 4 + 1;
  let step = 0;
  const advance = (detail: string) => progress.update(step++ / steps, detail);
  const orders = await services.start({ kind: 'orders', variant: 'outbox' });
  let second: Awaited<ReturnType<typeof services.start>> | undefined;
  try {
    advance('warming up');
    await relayRun(db, Math.min(1000, options.events));
    await orders.request('publish-direct', { count: Math.min(1000, options.events), concurrency });

    const direct = new Runs('relay, direct PublishBatch');
    const relay = new Runs('relay, empty table');
    for (let run = 0; run < options.repeats; run++) {
      advance(`direct PublishBatch, run ${run + 1}/${options.repeats}`);
      await direct.measure(ctx, async () => {
        const result = await orders.request<{ elapsedMs: number; sent: number }>('publish-direct', { count: options.events, concurrency });
        return (result.sent / result.elapsedMs) * 1000;
      });
      advance(`relay over an empty outbox, run ${run + 1}/${options.repeats}`);
      await db.query(`TRUNCATE ${OUTBOX}`);
      await relay.measure(ctx, () => relayRun(db, options.events));
    }

    second = await services.start({ kind: 'orders', variant: 'outbox' });
    const twoRelays = new Runs('relay, 2 relays');
    for (let run = 0; run < options.repeats; run++) {
      advance(`two relays, run ${run + 1}/${options.repeats}`);
      await db.query(`TRUNCATE ${OUTBOX}`);
      await twoRelays.measure(ctx, () => relayRun(db, options.events));
    }
    await services.stop(second);
    second = undefined;

    advance(`inserting ${options.publishedRows.toLocaleString('en-US')} published rows`);
    await db.query(`TRUNCATE ${OUTBOX}`);
    await insertPublishedRows(db, options.publishedRows);
    const largeTable = new Runs('relay, large table');
    for (let run = 0; run < options.repeats; run++) {
      advance(`relay over ${options.publishedRows.toLocaleString('en-US')} published rows, run ${run + 1}/${options.repeats}`);
      await largeTable.measure(ctx, () => relayRun(db, options.events));
    }
    await db.query(`TRUNCATE ${OUTBOX}`);
    await purgeSinkQueue(ctx);

    const rate = (label: string, runs: Runs) => runs.figure(label, 'events/s');
    const large = `${options.publishedRows >= 1e6 ? `${options.publishedRows / 1e6}M` : options.publishedRows.toLocaleString('en-US')} published rows`;
    return [
      compare('1. Relay', 'throughput', rate('outbox relay', relay), rate('direct PublishBatch', direct), atLeast(0.9)),
      compare('1. Relay', 'large outbox table', rate(`relay, ${large}`, largeTable), rate('relay, empty table', relay), atLeast(0.9)),
      compare('1. Relay', 'scaling out', rate('2 relays', twoRelays), rate('1 relay', relay)),
    ];
  } finally {
    if (second) await services.stop(second);
    await services.stop(orders);
    await db.end();
  }
}


/**
 * Commits `count` OrderPlaced rows in one transaction and returns when (by the monotonic clock) the
 * COMMIT was sent. The table is analysed inside that transaction (ANALYZE counts the transaction's
 * own rows), so the planner knows the backlog, as it does once autovacuum has caught up.
 */
async function commitPending(db: Client, count: number): Promise<number> {
  const events = Array.from({ length: count }, orderPlacedEvent);
  await db.query('BEGIN');
  await db.query(
    `INSERT INTO ${OUTBOX} (event_id, type, topic, envelope)
     SELECT (e->>'id')::uuid, e->>'type', $2, e FROM jsonb_array_elements($1::jsonb) AS e`,
    [JSON.stringify(events), OrderPlaced.topic],
  );
  await db.query(`ANALYZE ${OUTBOX}`);
  const start = monotonicMs();
  await db.query('COMMIT');
  return start;
}

/** Commits `count` rows and times the relay until none is pending. */
async function relayRun(db: Client, count: number): Promise<number> {
  const start = await commitPending(db, count);
  const deadline = start + 300_000;
  for (;;) {
    const { rows } = await db.query<{ pending: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${OUTBOX} WHERE published_at IS NULL) AS pending`);
    if (!rows[0].pending) break;
    if (monotonicMs() > deadline) throw new Error('the relay did not publish every row within 5 minutes');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const elapsedMs = monotonicMs() - start;
  const { rows } = await db.query<{ failed: number }>(`SELECT count(*)::int AS failed FROM ${OUTBOX} WHERE last_error IS NOT NULL`);
  if (rows[0].failed > 0) throw new Error(`${rows[0].failed} outbox rows were refused by SNS`);
  return (count / elapsedMs) * 1000;
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
     SELECT g.id, $2, $3, jsonb_set($1::jsonb, '{id}', to_jsonb(g.id::text)), g.at, g.at + interval '20 milliseconds', 1
     FROM (SELECT gen_random_uuid() AS id, now() - interval '3 days' + n * interval '200 milliseconds' AS at FROM generate_series(1, $4::int) AS n) AS g`,
    [JSON.stringify(template), OrderPlaced.type, OrderPlaced.topic, count],
  );
  await db.query(`VACUUM ANALYZE ${OUTBOX}`);
}

/** Everything relayed also landed on the sink's queue; the consumer scenario starts from an empty one. */
async function purgeSinkQueue(ctx: BenchContext): Promise<void> {
  const sqs = createSqsClient(ctx.stack.config.aws);
  try {
    const queueUrl = await locateQueue(sqs, new TopologyNames(ctx.stack.config.topologyPrefix).queue(sinkTopology));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  } finally {
    sqs.destroy();
  }
}
