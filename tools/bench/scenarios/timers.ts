import { OrderPlaced } from '@app/contracts';
import type { Client } from 'pg';
import type { BenchContext } from '../bench-context';
import type { ServiceChild } from '../infrastructure/service-child';
import { atLeast, atMostAbsolute, compare, type Comparison } from '../report/results';
import { percentile } from '../report/statistics';
import { OUTBOX, purgeSinkQueue, relayRun } from './relay-throughput';
import { claimPlans } from './claim-plans';
import { Runs } from './runs';
import { orderPlacedEvent } from '../workload/order-events';

/** Timers are scheduled this far ahead of the first due time, plus the time their writing takes. */
const SCHEDULE_LEAD_MS = 2000;
const LATENESS_TARGET_MS = 100;

/**
 * Timers (delayed delivery: outbox rows with a due time), with P pending timers in the outbox
 * (1,000,000; 50,000 with --quick), due over the next months:
 * - firing rate: N timers already due committed at once, against the same relay sending N ready
 *   rows of an emptied table (as in the relay scenario), in the same process, side by side;
 * - the claim's plan: the claims of one firing run, as Postgres planned them (auto_explain in the
 *   relay's sessions), must all be index scans;
 * - lateness: timers scheduled through Outbox.publish with `deliverAt`, R falling due per second
 *   (500) for S seconds, each timed from its due time to its relay reporting it published.
 */
export async function timers(ctx: BenchContext): Promise<Comparison[]> {
  const { options, services, progress } = ctx;
  const db = await ctx.stack.connect();
  const steps = 5 + options.repeats * 2;
  let step = 0;
  const advance = (detail: string) => progress.phase(step++ / steps, detail);
  let orders: ServiceChild | undefined;
  try {
    orders = await services.start({ kind: 'orders', variant: 'outbox' });
    await db.query(`TRUNCATE ${OUTBOX}`);
    advance('warming up');
    await relayRun(ctx, db, [orders], Math.min(1000, options.events));

    const emptied = new Runs('timers, relay over an emptied table');
    for (let run = 0; run < options.repeats; run++) {
      advance(`relay over an emptied table, run ${run + 1}/${options.repeats}`);
      await db.query(`TRUNCATE ${OUTBOX}`);
      await emptied.measure(ctx, options.events, (clock) => relayRun(ctx, db, [orders as ServiceChild], options.events, { clock }));
    }

    const pending = options.pendingTimers.toLocaleString('en-US');
    advance(`inserting ${pending} pending timers`);
    await db.query(`TRUNCATE ${OUTBOX}`);
    await insertPendingTimers(db, options.pendingTimers);
    const firing = new Runs('timers, due timers among pending ones');
    for (let run = 0; run < options.repeats; run++) {
      advance(`${options.events.toLocaleString('en-US')} due timers among ${pending} pending, run ${run + 1}/${options.repeats}`);
      await firing.measure(ctx, options.events, (clock) => relayRun(ctx, db, [orders as ServiceChild], options.events, { dueTimers: true, clock }));
    }
    await services.stop(orders);
    orders = undefined;

    advance(`the claim's plan among ${pending} pending timers`);
    const plans = await claimPlans(ctx, db, 'timers', (relay) => relayRun(ctx, db, [relay], Math.min(2000, options.events), { dueTimers: true }));

    advance(`lateness: ${options.timerRate} timers due per second for ${options.timerSeconds}s`);
    orders = await services.start({ kind: 'orders', variant: 'outbox' });
    const lateness = await measureLateness(ctx, orders, options.timerRate, options.timerSeconds);

    const late = (p: number) => ({ label: `p${p}`, value: percentile(lateness.lateMs, p), unit: 'ms', cpu: lateness.cpu, details: { timers: lateness.lateMs.length, pendingTimers: options.pendingTimers } });
    return [
      compare('6. Timers', `firing rate, ${pending} pending`, firing.figure('due timers', 'timers/s'), emptied.figure('relay, emptied table', 'events/s'), atLeast(0.9)),
      compare(
        '6. Timers',
        "claims planned as index scans",
        { label: plans.summary, value: plans.indexScans, unit: 'claims', details: { claims: plans.claims } },
        { label: 'claims', value: plans.claims, unit: 'claims' },
        atLeast(1),
      ),
      compare('6. Timers', `lateness p50, ${options.timerRate}/s due`, late(50), { label: 'budget', value: LATENESS_TARGET_MS, unit: 'ms' }),
      compare('6. Timers', `lateness p99, ${options.timerRate}/s due`, late(99), { label: 'budget', value: LATENESS_TARGET_MS, unit: 'ms' }, atMostAbsolute(LATENESS_TARGET_MS, 'ms')),
    ];
  } finally {
    if (orders) await services.stop(orders);
    await db.query(`TRUNCATE ${OUTBOX}`).catch(() => undefined);
    await db.end();
    await purgeSinkQueue(ctx);
  }
}

/**
 * `count` timers due over the coming months (one every 10 s from 30 days on), as Outbox.publish with
 * deliverAt stores them, written by the database itself in one statement, then vacuumed and
 * analysed as autovacuum would have.
 */
async function insertPendingTimers(db: Client, count: number): Promise<void> {
  const template = orderPlacedEvent();
  await db.query(
    `INSERT INTO ${OUTBOX} (event_id, type, topic, envelope, deliver_at, available_at)
     SELECT g.id, $2, $3, jsonb_set($1::jsonb, '{id}', to_jsonb(g.id::text))::json, g.at, g.at
     FROM (SELECT gen_random_uuid() AS id, now() + interval '30 days' + n * interval '10 seconds' AS at FROM generate_series(1, $4::int) AS n) AS g`,
    [JSON.stringify(template), OrderPlaced.type, OrderPlaced.topic, count],
  );
  await db.query(`VACUUM ANALYZE ${OUTBOX}`);
}

/**
 * Schedules rate × seconds timers through Outbox.publish (50 per transaction, 4 in flight), due one
 * every 1/rate s from a moment after the writing is done, and collects each one's lateness.
 */
async function measureLateness(ctx: BenchContext, orders: ServiceChild, rate: number, seconds: number) {
  const count = rate * seconds;
  const firstDueAt = Date.now() + SCHEDULE_LEAD_MS + count; // about a millisecond per timer to write
  const { elapsedMs } = await orders.request<{ elapsedMs: number }>('schedule-timers', { count, firstDueAt, intervalMs: 1000 / rate, perTransaction: 50, concurrency: 4 });
  if (Date.now() >= firstDueAt) ctx.notes.push(`timers: scheduling ${count} timers took ${Math.round(elapsedMs)} ms, past the first due time`);
  const waitMs = firstDueAt - Date.now();
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  const start = ctx.cpu.snapshot();
  const deadline = Date.now() + seconds * 1000 + 60_000;
  for (;;) {
    const { lateMs, pending } = await orders.request<{ lateMs: number[]; pending: number }>('timer-lateness');
    if (pending === 0) return { lateMs, cpu: ctx.cpu.since(start, lateMs.length) };
    if (Date.now() > deadline) throw new Error(`${pending} of ${count} timers had not fired a minute after the last was due`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
