import { Agent, request } from 'node:http';
import type { BenchContext } from '../bench-context';
import { monotonicMs } from '../infrastructure/ipc-protocol';
import type { ServiceChild } from '../infrastructure/service-child';
import type { CpuUsage } from '../infrastructure/cpu-meter';
import { waitBeforeRun } from '../infrastructure/quiet-machine';
import { atMost, compare, withinPlus, type Comparison, type Figure } from '../report/results';
import { percentile } from '../report/statistics';
import type { PlaceOrderVariant } from '../services/orders-variants';
import { PLACE_ORDER_REQUEST } from '../workload/order-events';

interface Placed {
  orderId: string;
  /** When the 202 arrived at the client (monotonic ms). */
  acceptedAt: number;
}

/**
 * End-to-end latency: orders arrive at a fixed rate (open loop: one every 1/rate s, whether or not
 * earlier ones were answered); each is timed from the 202 of `POST /orders` to the commit of the
 * bench-sink handler that consumed its OrderPlaced. Once through the outbox (the real orders
 * service), once with the event published straight to SNS after the order's commit.
 */
export async function endToEndLatency(ctx: BenchContext): Promise<Comparison[]> {
  const { options, services, progress } = ctx;
  const sink = await services.start({ kind: 'sink' });
  const warmupSeconds = options.quick ? 1 : 3;
  const total = 2 * (warmupSeconds + options.latencySeconds);
  let elapsed = 0;
  try {
    const latencies: Record<'outbox' | 'direct', number[]> = { outbox: [], direct: [] };
    const usage: Partial<Record<'outbox' | 'direct', CpuUsage>> = {};
    let relayLag: Record<string, number> | undefined;
    for (const variant of ['outbox', 'direct'] as const satisfies readonly PlaceOrderVariant[]) {
      const orders = await services.start({ kind: 'orders', variant });
      try {
        const label = variant === 'outbox' ? 'through the outbox' : 'direct publish';
        await waitBeforeRun(ctx, `latency, ${label}`);
        progress.phase(elapsed / total, `${label}: warming up`);
        await paced(orders, options.rate, warmupSeconds, (seconds) => progress.tick((elapsed + seconds) / total));
        elapsed += warmupSeconds;
        await waitForHandled(sink, [], 30_000);
        await sink.request('reset');
        const lagBefore = variant === 'outbox' ? await relayLagHistogram(orders) : undefined;
        const start = ctx.cpu.snapshot();
        progress.phase(elapsed / total, `${label}: ${options.rate} orders/s for ${options.latencySeconds}s`);
        const placed = await paced(orders, options.rate, options.latencySeconds, (seconds) => progress.tick((elapsed + seconds) / total, `(${Math.round(seconds)}s)`));
        usage[variant] = ctx.cpu.since(start, placed.length);
        if (lagBefore) relayLag = relayLagSummary(lagBefore, await relayLagHistogram(orders));
        elapsed += options.latencySeconds;
        const handled = await waitForHandled(sink, placed, 60_000);
        for (const order of placed) latencies[variant].push((handled.get(order.orderId) as number) - order.acceptedAt);
      } finally {
        await services.stop(orders);
      }
    }
    const figure = (label: string, variant: 'outbox' | 'direct', p: number): Figure => ({
      label,
      value: percentile(latencies[variant], p),
      unit: 'ms',
      cpu: usage[variant],
      ...(variant === 'outbox' && relayLag ? { details: relayLag } : {}),
    });
    const row = (p: number, target?: Parameters<typeof compare>[4]) => compare('3. End to end', `latency p${p}`, figure('outbox', 'outbox', p), figure('direct publish', 'direct', p), target);
    return [row(50, withinPlus(10, 'ms')), row(95), row(99, atMost(1.5))];
  } finally {
    await services.stop(sink);
  }
}

/** Sends PLACE_ORDER_REQUEST at `rate` per second for `seconds`, and returns every accepted order. */
async function paced(orders: ServiceChild, rate: number, seconds: number, onProgress: (seconds: number) => void): Promise<Placed[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const body = JSON.stringify(PLACE_ORDER_REQUEST);
  const count = Math.round(rate * seconds);
  const start = monotonicMs();
  const sent: Promise<Placed>[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - monotonicMs();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const placed = placeOrder(agent, orders.port as number, body);
      // Awaited all together below; a failure before then must not be an unhandled rejection.
      placed.catch(() => undefined);
      sent.push(placed);
      if (i % rate === 0) onProgress(i / rate);
    }
    return await Promise.all(sent);
  } finally {
    agent.destroy();
  }
}

/**
 * POST /orders once. A kept-alive connection the server closed as idle just as the agent reused it
 * fails with ECONNRESET before any answer: that request is sent again, once, on a new connection.
 */
function placeOrder(agent: Agent, port: number, body: string, retried = false): Promise<Placed> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request({ host: '127.0.0.1', port, path: '/orders', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      answered = true;
      const acceptedAt = monotonicMs();
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 202) return reject(new Error(`POST /orders answered ${res.statusCode}: ${text}`));
        resolve({ orderId: (JSON.parse(text) as { orderId: string }).orderId, acceptedAt });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!answered && !retried && error.code === 'ECONNRESET') resolve(placeOrder(agent, port, body, true));
      else reject(error);
    });
    req.end(body);
  });
}

/** Waits until the sink has handled every order in `placed` (and, with none, until it has been quiet for 300 ms). */
async function waitForHandled(sink: ServiceChild, placed: readonly Placed[], timeoutMs: number): Promise<Map<string, number>> {
  const deadline = monotonicMs() + timeoutMs;
  let lastCount = -1;
  let quietSince = monotonicMs();
  for (;;) {
    const { records } = await sink.request<{ records: [string, number][] }>('handled');
    const handled = new Map(records);
    if (placed.length > 0 && placed.every((order) => handled.has(order.orderId))) return handled;
    if (placed.length === 0) {
      if (records.length !== lastCount) {
        lastCount = records.length;
        quietSince = monotonicMs();
      } else if (monotonicMs() - quietSince > 300) {
        return handled;
      }
    }
    if (monotonicMs() > deadline) throw new Error(`the sink handled ${placed.filter((order) => handled.has(order.orderId)).length} of ${placed.length} orders in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type Histogram = Map<string, number>;

/** The orders service's own relay-lag histogram (outbox row created → SNS accepted), from /metrics. */
async function relayLagHistogram(orders: ServiceChild): Promise<Histogram> {
  const text = await orders.metricsText();
  const histogram: Histogram = new Map();
  for (const match of text.matchAll(/^messaging_relay_lag_seconds_(bucket\{le="([^"]+)"\}|sum|count) (\S+)$/gm)) {
    histogram.set(match[2] ?? match[1], Number(match[3]));
  }
  return histogram;
}

/**
 * Relay lag over the measured window only: its mean and the share of events over 10 and 25 ms.
 * The row's created_at is its transaction's start, so the lag includes the rest of that transaction.
 */
function relayLagSummary(before: Histogram, after: Histogram): Record<string, number> {
  const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const count = delta('count');
  if (count === 0) return {};
  const share = (le: string) => Math.round((1 - delta(le) / count) * 1000) / 10;
  return { relayLagMeanMs: Math.round((delta('sum') / count) * 10000) / 10, relayLagOver10msPercent: share('0.01'), relayLagOver25msPercent: share('0.025') };
}
