import { GetQueueAttributesCommand, PurgeQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient, locateQueue, TopologyNames } from '@app/messaging';
import type { BenchContext } from '../bench-context';
import { monotonicMs } from '../infrastructure/ipc-protocol';
import type { ServiceChild } from '../infrastructure/service-child';
import { atLeast, compare, type Comparison } from '../report/results';
import { Runs, type RunClock } from './runs';
import type { BareConsumerOptions } from '../services/bare-consumer-main';
import type { FloorConsumerOptions } from '../services/floor-consumer-main';
import type { ToolkitConsumerOptions } from '../services/mqt-consumer-main';
import { sinkTopology } from '../services/order-sink';
import { loadQueue, orderPlacedEvents } from '../workload/order-events';

/** Where the message-queue-toolkit consumer's handler writes its row (no inbox). */
const TOOLKIT_TABLE = 'bench_mqt.seen_orders';
/** Where the floor consumer keeps its inbox and its handler's rows: copies of the sink's tables. */
const FLOOR_INBOX = 'bench_floor.inbox_messages';
const FLOOR_ROWS = 'bench_floor.seen_orders';

/**
 * Consumer throughput: the full consumer of the bench-sink service (envelope parse, contract
 * validation, inbox row, a handler writing one row, one transaction each, delete) against
 * - a bare sqs-consumer with a no-op handler on the same queue, batch size, options and
 *   acknowledgement (one DeleteMessageBatch per receive): the limit;
 * - a message-queue-toolkit consumer, as its users write one, whose handler writes the same row
 *   without an inbox: the Node peer.
 * Each in its own process, on the same emulator and Postgres.
 *
 * Each run loads M messages while the consumer is running, hidden by a delivery delay, so they all
 * become visible together: a warm consumer meets a full backlog. The clock starts when the first of
 * them reaches a handler and stops when the queue holds nothing, visible or in flight; the CPU is
 * counted from the moment they become visible.
 */
export async function consumerThroughput(ctx: BenchContext): Promise<Comparison[]> {
  const { options, services, progress } = ctx;
  const sqs = createSqsClient(ctx.stack.config.aws);
  const queueUrl = await locateQueue(sqs, new TopologyNames(ctx.stack.config.topologyPrefix).queue(sinkTopology));
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  const steps = (options.diagnose ? 5 : 3) * (1 + options.repeats);
  let step = 0;
  const advance = (detail: string) => progress.phase(step++ / steps, detail);

  const measure = async (child: ServiceChild, label: string): Promise<Runs> => {
    advance(`${label}: warming up`);
    await consumeRun(ctx, sqs, queueUrl, child, Math.min(1000, options.messages));
    const runs = new Runs(`consumer, ${label}`);
    for (let run = 0; run < options.repeats; run++) {
      advance(`${label}: ${options.messages.toLocaleString('en-US')} messages, run ${run + 1}/${options.repeats}`);
      await runs.measure(ctx, options.messages, (clock) => consumeRun(ctx, sqs, queueUrl, child, options.messages, clock));
    }
    return runs;
  };

  try {
    const sink = await services.start({ kind: 'sink' });
    const full = await measure(sink, 'full consumer').finally(() => services.stop(sink));
    const consumer = ctx.stack.config.consumer;
    const bareOptions: BareConsumerOptions = {
      queueUrl,
      batchSize: consumer.batchSize,
      waitTimeSeconds: consumer.waitTimeSeconds,
      visibilityTimeout: consumer.visibilityTimeoutSeconds,
      heartbeatInterval: Math.max(1, Math.floor(consumer.visibilityTimeoutSeconds / 3)),
    };
    const bareChild = await services.start({ kind: 'bare-consumer' }, { BENCH_CONSUMER: JSON.stringify(bareOptions) });
    const bare = await measure(bareChild, 'bare sqs-consumer').finally(() => services.stop(bareChild));
    const db = await ctx.stack.connect();
    try {
      await db.query(`CREATE SCHEMA IF NOT EXISTS bench_mqt; CREATE TABLE IF NOT EXISTS ${TOOLKIT_TABLE} (event_id text PRIMARY KEY, order_id uuid NOT NULL)`);
    } finally {
      await db.end();
    }
    const toolkitOptions: ToolkitConsumerOptions = { ...bareOptions, poolSize: ctx.stack.config.database.poolSize, table: TOOLKIT_TABLE };
    const toolkitChild = await services.start({ kind: 'mqt-consumer' }, { BENCH_CONSUMER: JSON.stringify(toolkitOptions) });
    const toolkit = await measure(toolkitChild, 'message-queue-toolkit consumer').finally(() => services.stop(toolkitChild));
    const comparisons: Comparison[] = [];
    if (options.diagnose) {
      // The other transaction mode: the events of a receive in one shared transaction.
      const shared = await services.start({ kind: 'sink' }, { CONSUMER_TRANSACTION: 'batch' });
      const together = await measure(shared, 'full consumer, one transaction per receive').finally(() => services.stop(shared));
      comparisons.push(compare('2. Consumer', 'diagnosis', together.figure('full, one transaction per receive', 'msg/s'), bare.figure('bare sqs-consumer', 'msg/s')));
      const floorChild = await startFloorConsumer(ctx, bareOptions);
      const floor = await measure(floorChild, 'floor consumer (raw pg)').finally(() => services.stop(floorChild));
      comparisons.push(compare('2. Consumer', 'the floor', floor.figure('the same SQL on raw pg', 'msg/s'), bare.figure('bare sqs-consumer', 'msg/s')));
      comparisons.push(compare('2. Consumer', 'against the floor', full.figure('full consumer', 'msg/s'), floor.figure('the same SQL on raw pg', 'msg/s')));
    }
    return [
      compare('2. Consumer', 'throughput', full.figure('full consumer', 'msg/s'), bare.figure('bare sqs-consumer', 'msg/s'), atLeast(0.8)),
      compare('2. Consumer', 'against a Node peer', full.figure('full consumer', 'msg/s'), toolkit.figure('message-queue-toolkit (no inbox)', 'msg/s'), atLeast(1)),
      ...comparisons,
    ];
  } finally {
    sqs.destroy();
  }
}

/**
 * The consumer of the sink's SQL and nothing else (floor-consumer-main), on copies of the sink's
 * inbox and handler tables, with as many receives in hand as the library keeps.
 */
async function startFloorConsumer(ctx: BenchContext, bareOptions: BareConsumerOptions): Promise<ServiceChild> {
  const db = await ctx.stack.connect();
  try {
    await db.query(`CREATE SCHEMA IF NOT EXISTS bench_floor;
      CREATE TABLE IF NOT EXISTS ${FLOOR_INBOX} (LIKE bench_sink.inbox_messages INCLUDING ALL);
      CREATE TABLE IF NOT EXISTS ${FLOOR_ROWS} (LIKE bench_sink.seen_orders INCLUDING ALL)`);
  } finally {
    await db.end();
  }
  const { concurrency, batchSize } = ctx.stack.config.consumer;
  const floorOptions: FloorConsumerOptions = {
    ...bareOptions,
    poolSize: ctx.stack.config.database.poolSize,
    pollers: Math.max(1, Math.floor(concurrency / batchSize)),
    inboxTable: FLOOR_INBOX,
    rowsTable: FLOOR_ROWS,
  };
  return ctx.services.start({ kind: 'floor-consumer' }, { BENCH_CONSUMER: JSON.stringify(floorOptions) });
}

/** Messages per second the bench managed to load so far; sizes the delivery delay of the next load. */
let loadRate = 2000;

async function consumeRun(ctx: BenchContext, sqs: SQSClient, queueUrl: string, child: ServiceChild, count: number, clock?: RunClock): Promise<number> {
  await child.request('reset');
  const bodies = orderPlacedEvents(count).map((event) => JSON.stringify(event));
  // Long enough to load everything before the first message shows (SQS allows up to 900 s).
  const delaySeconds = Math.min(900, Math.ceil((1.5 * count) / loadRate + 0.5));
  const loadStart = monotonicMs();
  await loadQueue(sqs, queueUrl, bodies, delaySeconds);
  const loadMs = monotonicMs() - loadStart;
  loadRate = Math.min(loadRate, (count / loadMs) * 1000);
  if (loadMs >= delaySeconds * 1000) ctx.notes.push(`consumer: loading ${count} messages took ${Math.round(loadMs)} ms, longer than their ${delaySeconds}s delay`);
  // The CPU window opens as the messages become visible, so loading them is not counted.
  const visibleIn = loadStart + delaySeconds * 1000 - monotonicMs() - 50;
  if (visibleIn > 0) await new Promise((resolve) => setTimeout(resolve, visibleIn));
  clock?.start();
  const drainedAt = await waitUntilDrained(sqs, queueUrl, delaySeconds * 1000 + 300_000);
  clock?.stop();
  const { firstAt } = await child.request<{ firstAt?: number }>('handled');
  if (firstAt === undefined) throw new Error(`${child.name} handled nothing`);
  return (count / (drainedAt - firstAt)) * 1000;
}

async function waitUntilDrained(sqs: SQSClient, queueUrl: string, timeoutMs: number): Promise<number> {
  const deadline = monotonicMs() + timeoutMs;
  for (;;) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    const left = Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
    if (left === 0) return monotonicMs();
    if (monotonicMs() > deadline) throw new Error(`the queue still holds ${left} messages`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
