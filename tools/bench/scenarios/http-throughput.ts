import autocannon from 'autocannon';
import type { Client } from 'pg';
import type { BenchContext } from '../bench-context';
import type { CpuUsage } from '../infrastructure/cpu-meter';
import { waitBeforeRun } from '../infrastructure/quiet-machine';
import type { ServiceChild } from '../infrastructure/service-child';
import { atLeast, compare, type Comparison } from '../report/results';
import type { PlaceOrderVariant } from '../services/orders-variants';
import { PLACE_ORDER_REQUEST } from '../workload/order-events';

interface HttpRun {
  requestsPerSecond: number;
  requests: number;
  p99Ms: number;
  cpu?: CpuUsage;
  details?: Record<string, number>;
}

/**
 * HTTP: closed-loop load on `POST /orders` (autocannon, N connections, in a worker thread of the
 * bench), against the real orders service and against the same service writing the same order
 * without an outbox row. The outbox variant's relay runs in the same process meanwhile, as in
 * production, so its cost is part of the figure.
 */
export async function httpThroughput(ctx: BenchContext): Promise<Comparison[]> {
  const { options, services, progress } = ctx;
  const warmupSeconds = options.quick ? 1 : 2;
  type Variant = Exclude<PlaceOrderVariant, 'direct'> | 'paused';
  const runs: Partial<Record<Variant, HttpRun>> = {};
  // --diagnose adds the outbox service with its relay paused: the cost of writing the row alone.
  const variants: readonly Variant[] = options.diagnose ? ['none', 'outbox', 'paused'] : ['none', 'outbox'];
  const db = await ctx.stack.connect();
  try {
    for (const [index, variant] of variants.entries()) {
      const label = { outbox: 'with outbox', none: 'without outbox', paused: 'outbox row, relay paused' }[variant];
      const orders = await services.start({ kind: 'orders', variant: variant === 'paused' ? 'outbox' : variant });
      try {
        if (variant === 'paused') await orders.request('pause-relay');
        // Each variant starts from the same empty tables.
        await db.query('TRUNCATE orders.order_status_changes, orders.orders, orders.outbox_messages CASCADE');
        await waitBeforeRun(ctx, `HTTP, ${label}`);
        progress.phase(index / variants.length, `${label}: warming up`);
        await load(orders, options.connections, warmupSeconds);
        progress.phase((index + 0.2) / variants.length, `${label}: ${options.connections} connections for ${options.httpSeconds}s`);
        const start = ctx.cpu.snapshot();
        const run = await load(orders, options.connections, options.httpSeconds);
        runs[variant] = { ...run, cpu: ctx.cpu.since(start, run.requests) };
        if (variant === 'outbox') runs[variant].details = { ...(await relayClaims(db)), emptyClaims: await emptyClaims(orders) };
      } finally {
        await services.stop(orders);
      }
    }
  } finally {
    await db.end();
  }
  const outbox = runs.outbox as HttpRun;
  const none = runs.none as HttpRun;
  const paused = runs.paused;
  return [
    ...(paused
      ? [compare('4. HTTP POST /orders', 'diagnosis', { label: 'outbox row, relay paused', value: paused.requestsPerSecond, unit: 'req/s', cpu: paused.cpu }, { label: 'without outbox', value: none.requestsPerSecond, unit: 'req/s', cpu: none.cpu })]
      : []),
    compare(
      '4. HTTP POST /orders',
      'requests/s',
      { label: 'with outbox', value: outbox.requestsPerSecond, unit: 'req/s', cpu: outbox.cpu, details: outbox.details },
      { label: 'without outbox', value: none.requestsPerSecond, unit: 'req/s', cpu: none.cpu },
      atLeast(0.85),
    ),
    compare('4. HTTP POST /orders', 'latency p99', { label: 'with outbox', value: outbox.p99Ms, unit: 'ms', cpu: outbox.cpu }, { label: 'without outbox', value: none.p99Ms, unit: 'ms', cpu: none.cpu }),
  ];
}

async function load(orders: ServiceChild, connections: number, seconds: number): Promise<HttpRun> {
  const result = await autocannon({
    url: `http://127.0.0.1:${orders.port}/orders`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(PLACE_ORDER_REQUEST),
    connections,
    duration: seconds,
    workers: 1,
  });
  const accepted = result['2xx'];
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`POST /orders under load: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { requestsPerSecond: accepted / result.duration, requests: accepted, p99Ms: result.latency.p99 };
}

/**
 * How the relay kept up: every row a claim marks gets that transaction's now() as published_at,
 * so distinct timestamps count claims. Few rows per claim means a full relay round (claim,
 * PublishBatch, mark, commit) for almost every order.
 */
/** Claims that found nothing, from the orders service's own counter. */
async function emptyClaims(orders: ServiceChild): Promise<number> {
  const text = await orders.metricsText();
  return Number(/^messaging_relay_claims_total\{result="empty"\} (\S+)$/m.exec(text)?.[1] ?? 0);
}

async function relayClaims(db: Client): Promise<Record<string, number>> {
  const { rows } = await db.query<{ rows: number; claims: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT published_at)::int AS claims FROM orders.outbox_messages WHERE published_at IS NOT NULL`,
  );
  return { relayedRows: rows[0].rows, relayClaims: rows[0].claims, rowsPerClaim: Math.round((rows[0].rows / Math.max(1, rows[0].claims)) * 100) / 100 };
}
