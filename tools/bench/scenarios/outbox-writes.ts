import type { BenchContext } from '../bench-context';
import type { ServiceChild } from '../infrastructure/service-child';
import { atLeast, compare, type Comparison } from '../report/results';
import { OUTBOX } from './relay-throughput';
import { Runs } from './runs';

/** The outbox's columns and indexes, without its trigger (CREATE TABLE … LIKE copies no triggers). */
const PLAIN_TABLE = 'orders.bench_plain_rows';
const IN_FLIGHT = 10;

/**
 * The outbox's write path: W transactions of one OrderPlaced row each, 10 in flight, through
 * `Outbox.publish` (validation, envelope, the INSERT, and whatever the table's triggers do at
 * commit), against a plain INSERT of the same row into a table with the same columns and indexes
 * but no trigger, in the same number of transactions through the same TypeORM transaction. Both in
 * the orders process, with its relay off so only the writes are measured.
 */
export async function outboxWrites(ctx: BenchContext): Promise<Comparison[]> {
  const { options, services, progress } = ctx;
  const db = await ctx.stack.connect();
  const steps = 1 + options.repeats * 2;
  let step = 0;
  let orders: ServiceChild | undefined;
  try {
    orders = await services.start({ kind: 'orders', variant: 'outbox' }, { OUTBOX_RELAY_ENABLED: 'false' });
    // After the service's migrations, so the copy has the outbox's current columns.
    await db.query(`DROP TABLE IF EXISTS ${PLAIN_TABLE}; CREATE TABLE ${PLAIN_TABLE} (LIKE ${OUTBOX} INCLUDING ALL)`);
    const write = async (mode: 'outbox' | 'plain', count: number) => {
      const result = await (orders as ServiceChild).request<{ elapsedMs: number; written: number }>('write-rows', { mode, count, concurrency: IN_FLIGHT, plainTable: PLAIN_TABLE });
      return (result.written / result.elapsedMs) * 1000;
    };
    progress.phase(step++ / steps, 'warming up');
    await write('outbox', Math.min(500, options.writes));
    await write('plain', Math.min(500, options.writes));
    const outbox = new Runs('outbox writes, Outbox.publish');
    const plain = new Runs('outbox writes, plain INSERT');
    for (let run = 0; run < options.repeats; run++) {
      await db.query(`TRUNCATE ${OUTBOX}, ${PLAIN_TABLE}`);
      progress.phase(step++ / steps, `Outbox.publish, ${options.writes.toLocaleString('en-US')} transactions, run ${run + 1}/${options.repeats}`);
      await outbox.measure(ctx, options.writes, () => write('outbox', options.writes));
      progress.phase(step++ / steps, `plain INSERT, ${options.writes.toLocaleString('en-US')} transactions, run ${run + 1}/${options.repeats}`);
      await plain.measure(ctx, options.writes, () => write('plain', options.writes));
    }
    return [
      compare('1b. Outbox writes', `rows/s, 1 per transaction, ${IN_FLIGHT} in flight`, outbox.figure('Outbox.publish', 'rows/s'), plain.figure('plain INSERT', 'rows/s'), atLeast(0.8)),
    ];
  } finally {
    if (orders) await services.stop(orders);
    await db.query(`DROP TABLE IF EXISTS ${PLAIN_TABLE}; TRUNCATE ${OUTBOX}`).catch(() => undefined);
    await db.end();
  }
}
