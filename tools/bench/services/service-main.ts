import 'reflect-metadata';
import { OrderPlaced } from '@app/contracts';
import { MessagingObserver, Outbox, OutboxRelay } from '@app/messaging';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { monotonicMs, notify, serveCommands, type CommandHandlers } from '../infrastructure/ipc-protocol';
import { orderPlacedEvents } from '../workload/order-events';
import { createOrderSinkApp, HandledOrders } from './order-sink';
import { createOrdersVariant, type PlaceOrderVariant } from './orders-variants';

/**
 * A service under test, as its own process: `BENCH_SERVICE=orders` (with BENCH_PLACE_ORDER =
 * outbox | direct | none) or `BENCH_SERVICE=sink`. It listens on PORT and takes commands from the bench.
 */
async function main(): Promise<void> {
  const service = process.env.BENCH_SERVICE;
  let app: INestApplication;
  let port: number;
  let handlers: CommandHandlers;
  if (service === 'orders') {
    ({ app, port } = await createOrdersVariant((process.env.BENCH_PLACE_ORDER ?? 'outbox') as PlaceOrderVariant, process.env));
    const relay = app.get(OutboxRelay);
    const published = new PublishedTally(app.get(MessagingObserver));
    const writes = new OutboxWrites(app.get<DataSource>(getDataSourceToken()), app.get(Outbox));
    const timers = new ScheduledTimers(app.get<DataSource>(getDataSourceToken()), app.get(Outbox), app.get(MessagingObserver));
    handlers = {
      'schedule-timers': (args: ScheduleArgs) => timers.schedule(args),
      'timer-lateness': () => timers.lateness(),
      'watch-published': (args: WatchArgs) => published.watch(args),
      'unwatch-published': () => published.unwatch(),
      'write-rows': (args: WriteArgs) => writes.run(args),
      // Diagnostics (--diagnose): the service without its relay.
      'pause-relay': () => relay.beforeApplicationShutdown(),
    };
  } else if (service === 'sink') {
    ({ app, port } = await createOrderSinkApp(process.env));
    const handled = app.get(HandledOrders);
    handlers = {
      reset: () => {
        handled.records = [];
        handled.firstStartedAt = undefined;
      },
      handled: () => ({ records: handled.records, firstAt: handled.firstStartedAt }),
    };
  } else {
    throw new Error(`BENCH_SERVICE must be orders or sink, not ${service}`);
  }
  await app.listen(port, '127.0.0.1');
  serveCommands(handlers, () => app.close(), port);
}

interface WatchArgs {
  /** Rows the run commits: what all the relays sharing the table publish together. */
  count: number;
  /** Other relays drain the table too, so the bench needs this one's tally before it reaches `count`. */
  shared: boolean;
}

/** Fewest ms between two tallies one process pushes while the bench watches: at most 10 messages a second. */
const TALLY_INTERVAL_MS = 100;

/**
 * Events this process's relay has published (marked published in Postgres) since the bench started
 * watching, and when the last of them was: the bench watches a relay run end without querying the
 * table it drains. The tally is pushed (a `published` notice), not asked for: answering a request
 * every few ms cost the relay under test CPU that the direct baseline it is compared with never
 * spends. A lone relay pushes once, when it reaches the run's `count`. Relays sharing the table do
 * not know their shares beforehand, so each also pushes at most every TALLY_INTERVAL_MS and the
 * bench adds the tallies up: it may learn of the run's end that much late, but it times the run by
 * `lastAt`, taken here.
 */
class PublishedTally {
  private count = 0;
  private lastAt?: number;
  /** The run's row count while the bench watches. */
  private target?: number;
  private shared = false;
  private pushedAt = 0;
  private pushTimer?: NodeJS.Timeout;

  constructor(observer: MessagingObserver) {
    observer.on('published', () => this.published());
  }

  /** Starts a run's tally from zero. */
  watch({ count, shared }: WatchArgs): void {
    this.unwatch();
    this.count = 0;
    this.lastAt = undefined;
    this.target = count;
    this.shared = shared;
    this.pushedAt = monotonicMs();
  }

  /** Stops pushing: the run is over, and what is published from now on belongs to no run. */
  unwatch(): void {
    clearTimeout(this.pushTimer);
    this.pushTimer = undefined;
    this.target = undefined;
  }

  private published(): void {
    this.count += 1;
    this.lastAt = monotonicMs();
    if (this.target === undefined) return;
    if (this.count === this.target) this.push();
    // One timer per push, not per row: between pushes a publish costs a comparison.
    else if (this.shared) this.pushTimer ??= setTimeout(() => this.push(), Math.max(0, this.pushedAt + TALLY_INTERVAL_MS - this.lastAt));
  }

  private push(): void {
    clearTimeout(this.pushTimer);
    this.pushTimer = undefined;
    this.pushedAt = monotonicMs();
    notify('published', { count: this.count, lastAt: this.lastAt });
  }
}

interface WriteArgs {
  /** `outbox`: Outbox.publish of OrderPlaced; `plain`: one INSERT of the same row into `plainTable`. */
  mode: 'outbox' | 'plain';
  count: number;
  concurrency: number;
  plainTable: string;
}

/**
 * The outbox's write path against a plain INSERT: `count` transactions, one row each, `concurrency`
 * in flight, both through the same TypeORM transaction. The payloads (and, for the plain INSERT, the
 * envelope text) are built before the clock starts; Outbox.publish validates, envelopes and writes.
 */
class OutboxWrites {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async run({ mode, count, concurrency, plainTable }: WriteArgs): Promise<{ elapsedMs: number; written: number }> {
    const events = orderPlacedEvents(count);
    const bodies = events.map((event) => JSON.stringify(event));
    const write =
      mode === 'outbox'
        ? (index: number) => this.dataSource.transaction((manager) => this.outbox.publish(manager, OrderPlaced, events[index].data, { subject: events[index].data.orderId }))
        : (index: number) =>
            this.dataSource.transaction((manager) =>
              manager.query(`INSERT INTO ${plainTable} (event_id, type, topic, group_key, envelope) VALUES ($1, $2, $3, $4, $5::json)`, [events[index].id, OrderPlaced.type, OrderPlaced.topic, null, bodies[index]]),
            );
    let next = 0;
    let written = 0;
    const worker = async () => {
      while (next < count) {
        await write(next++);
        written += 1;
      }
    };
    const start = monotonicMs();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { elapsedMs: monotonicMs() - start, written };
  }
}

interface ScheduleArgs {
  count: number;
  /** Due time of the first timer, epoch ms. */
  firstDueAt: number;
  /** Between consecutive due times, ms. */
  intervalMs: number;
  perTransaction: number;
  concurrency: number;
}

/**
 * Timers as a service schedules them: OrderPlaced through Outbox.publish with a `deliverAt`, several
 * per transaction. Each one's lateness is the time from its due time to the moment this process's
 * relay reported it published (sent and marked), by this machine's clock, which the database shares.
 */
class ScheduledTimers {
  private readonly dueAt = new Map<string, number>();
  private readonly lateMs: number[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    observer: MessagingObserver,
  ) {
    observer.on('published', ({ eventId }) => {
      const due = this.dueAt.get(eventId);
      if (due === undefined) return;
      this.lateMs.push(Date.now() - due);
      this.dueAt.delete(eventId);
    });
  }

  async schedule({ count, firstDueAt, intervalMs, perTransaction, concurrency }: ScheduleArgs): Promise<{ elapsedMs: number }> {
    this.dueAt.clear();
    this.lateMs.length = 0;
    const events = orderPlacedEvents(count);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const first = next;
        next += perTransaction;
        await this.dataSource.transaction(async (manager) => {
          for (let index = first; index < Math.min(count, first + perTransaction); index++) {
            const deliverAt = new Date(firstDueAt + index * intervalMs);
            const envelope = await this.outbox.publish(manager, OrderPlaced, events[index].data, { subject: events[index].data.orderId, deliverAt });
            this.dueAt.set(envelope.id, deliverAt.getTime());
          }
        });
      }
    };
    const start = monotonicMs();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { elapsedMs: monotonicMs() - start };
  }

  /** Lateness of every timer fired since the last schedule, ms, and how many are still to fire. */
  lateness(): { lateMs: number[]; pending: number } {
    return { lateMs: this.lateMs, pending: this.dueAt.size };
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
