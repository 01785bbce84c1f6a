import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type Pool, type PoolClient, type QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import { BOOKKEEPING_COMMIT } from '../database/bookkeeping-commit';
import { outboxChannel } from '../database/messaging-tables.migration';
import { pgClientConfig } from '../database/postgres-connection';
import { quotedTable } from '../database/quoted-table';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { MessagingObserver } from '../observer/messaging-observer';
import { BatchSender, mergeSendResults, type SendResult } from './batch-sender';
import { EVENT_TRANSPORT, type EventTransport } from './event-transport';
import {
  fifoClaimSql,
  markSentSql,
  nextDueSql,
  recordOutcomesParams,
  recordOutcomesSql,
  standardClaimSql,
  type ClaimedRow,
  type ClaimShape,
  type RowOutcome,
} from './outbox-claim';
import { OutboxMessage } from './outbox-message.entity';
import { RelayRetryPolicy } from './relay-retry-policy';

const MAX_BACKOFF_MS = 30_000;

/** Node's timers overflow past 2^31 ms; a longer wait is re-armed when this one ends. */
const MAX_TIMER_MS = 60 * 60 * 1000;

/** How often the parked-rows gauge is read again from the database (besides after parking). */
const PARKED_GAUGE_INTERVAL_MS = 30_000;

/**
 * Rounds a relay runs side by side: while one claims (and marks its last round), the other's calls
 * keep the broker busy; the calls in flight stay bounded by OUTBOX_BATCHES_IN_FLIGHT however many
 * rounds send.
 */
const ROUNDS_IN_FLIGHT = 2;

/**
 * A claim leases enough rows for this many waves of the calls in flight, so the limiter has calls
 * queued while the other round claims, and each claim (a round trip, a socket write, a commit) serves
 * twice the rows. Measured on the 2-core bench, three runs each: two rounds of two waves relayed
 * 7.9k-8.4k events/s from an emptied outbox with Postgres at 0.027 ms of CPU per event, where three
 * rounds of one wave relayed 7.5k-7.6k at 0.038 ms (and kept 3.3 of 4 calls in flight); two rounds
 * of three waves, 7.7k-7.8k.
 */
const WAVES_PER_CLAIM = 2;

/** Postgres: a NOWAIT lock found the row locked. */
const LOCK_NOT_AVAILABLE = '55P03';

const isConnectionLost = (error: unknown) => /Connection terminated|ECONNRESET|EPIPE|connection.*closed/i.test((error as Error)?.message ?? '');

/**
 * Moves committed outbox rows to SNS. Woken by NOTIFY on commit, so an event leaves milliseconds
 * after its transaction, and by a timer set for the earliest future due time (scheduled events),
 * re-armed after every round; a slow poll covers a missed notification, a lost LISTEN connection,
 * and rows left by a process that died between commit and publish.
 *
 * Rows are leased (FOR UPDATE SKIP LOCKED, then `leased_until` written and committed in the same
 * statement) before anything is sent, so no transaction or pool connection is held while the broker
 * has the batch: any number of replicas relay side by side, none sends a row another holds, and a
 * crash leaves the rows unpublished, claimable again when the lease runs out (at-least-once;
 * consumers dedupe). Refused rows back off one by one, and are parked after OUTBOX_MAX_ATTEMPTS or
 * at once when they cannot succeed, while the rest flow on.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: Client;
  private pollTimer?: NodeJS.Timeout;
  private dueTimer?: NodeJS.Timeout;
  /** Local time at which the earliest future due time (by the database clock) comes; undefined: none. */
  private nextDueAt?: number;
  private stopping = false;
  private failures = 0;
  private readonly publishesFifo: boolean;
  private pausedUntil = 0;
  private activeLoops = 0;
  /** Counts wake-ups, so a loop can tell whether rows may have been committed since its claim began. */
  private wakes = 0;
  private idleWaiters: (() => void)[] = [];
  private quotedTable?: string;
  private parkedCountedAt = 0;
  /** True once this process relays: its own commits then wake it in-process. */
  relaysHere = false;
  private readonly sender: BatchSender;
  private readonly retryPolicy: RelayRetryPolicy;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EVENT_TRANSPORT) private readonly transport: EventTransport,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly metrics: MessagingMetrics,
    private readonly observer: MessagingObserver,
  ) {
    // Own-queue events of a FIFO consumer are FIFO as well.
    this.publishesFifo = options.topology.publishes.some((contract) => contract.fifo) || options.topology.consumes.some((contract) => contract.fifo);
    this.sender = new BatchSender(transport, options.topology.service, options.config.outbox.batchesInFlight);
    this.retryPolicy = new RelayRetryPolicy(options.config.outbox.maxAttempts, options.config.outbox.retry);
  }

  async onApplicationBootstrap(): Promise<void> {
    // API-only replicas may leave relaying to others (OUTBOX_RELAY_ENABLED=false); the outbox is shared.
    // A service that publishes nothing may still send itself events (its own queue).
    const { publishes, consumes } = this.options.topology;
    if ((publishes.length === 0 && consumes.length === 0) || !this.options.config.outbox.relayEnabled) return;
    this.relaysHere = true;
    this.pollTimer = setInterval(() => {
      this.wake();
      if (Date.now() - this.parkedCountedAt >= PARKED_GAUGE_INTERVAL_MS) void this.refreshParkedGauge();
    }, this.options.config.outbox.pollIntervalMs);
    await this.listen();
    void this.refreshParkedGauge();
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.dueTimer);
    await this.listener?.end().catch(() => undefined);
    // Let the batches in flight finish, so their rows are marked published rather than sent again.
    await this.whenIdle();
  }

  /**
   * Something may have been committed: start a claim loop if none is running; a running one claims
   * once more before it stops, so the commit is not missed. More loops start only while claims come
   * back full. Under load the rows committed during one round are claimed together by the next, so a
   * busy service sends fuller batches rather than more calls. (Measured under HTTP load: starting a
   * loop per wake-up made 2.2 rows per claim with 31 % of claims empty, against 4.5 and 6 % this
   * way, and served 14-19 % fewer requests per second.)
   */
  wake(): void {
    if (this.stopping || Date.now() < this.pausedUntil) return;
    this.wakes += 1;
    if (this.activeLoops === 0) void this.claimLoop();
  }

  /** Relays until nothing is left to claim. Resolves when done; for tests and scripts. */
  async drain(): Promise<void> {
    this.wake();
    await this.whenIdle();
  }

  private whenIdle(): Promise<void> {
    if (this.activeLoops === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Claims one round after another while full claims come back; a full claim starts another loop
   * (up to ROUNDS_IN_FLIGHT), whose claim then runs while this round's calls are with the broker. A loop stops on a
   * short claim, unless a wake-up came during its round: that commit may not have been visible to
   * its claim. A round whose rows were all sent leaves their mark to the loop's next claim, which
   * writes it in the same statement; the last round's mark is written alone, as the loop ends.
   */
  private async claimLoop(): Promise<void> {
    this.activeLoops += 1;
    const unmarked: ClaimedRow[] = [];
    try {
      while (!this.stopping) {
        const wakesBefore = this.wakes;
        const round = await this.relayOnce(unmarked);
        this.failures = 0;
        if (round.standard >= this.claimLimit || round.fifo > 0) continue;
        if (this.wakes !== wakesBefore) {
          // Commits come faster than rounds: let a few more gather, so a busy service sends fuller
          // batches. A lone commit (the claim found one row) is claimed again at once.
          if (round.standard >= 2) await this.linger();
          continue;
        }
        await this.markSent(unmarked.splice(0));
        // A commit while the mark was written is this loop's to claim: no other loop starts while it runs.
        if (this.wakes === wakesBefore) break;
      }
      await this.markSent(unmarked.splice(0));
    } catch (error) {
      // Rows sent but not yet marked are marked if the database lets us; if not, their lease runs
      // out and they are sent again (at-least-once).
      await this.markSent(unmarked.splice(0)).catch(() => undefined);
      // The first loop to fail sets the pause; the others stop without lengthening it.
      if (Date.now() >= this.pausedUntil) {
        this.failures += 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.failures);
        this.pausedUntil = Date.now() + backoff;
        this.logger.warn({ err: error, backoffMs: backoff }, 'Outbox relay failed; backing off');
      }
    } finally {
      this.activeLoops -= 1;
      if (this.activeLoops === 0) {
        this.armDueTimer();
        this.idleWaiters.splice(0).forEach((resolve) => resolve());
      }
    }
  }

  /**
   * OUTBOX_LINGER_MS before the next claim. Measured under HTTP load (`npm run bench`, POST /orders
   * with the relay in the process): no linger claimed 3.0 rows per claim and served 0.77× of the
   * service without an outbox; 2 ms, 4.2 rows and 0.81×; 5 ms, 5.3 rows and 0.80–0.93× (across
   * runs); 10 ms, 7.4 rows and 0.86–0.90×; 12 ms, 8.1 rows and 0.88×. At 50 orders a second (the
   * latency run) no round overlaps a commit, so nothing lingers and the end-to-end p99 did not move.
   */
  private linger(): Promise<void> {
    const { lingerMs } = this.options.config.outbox;
    return lingerMs > 0 ? new Promise((resolve) => setTimeout(resolve, lingerMs)) : Promise.resolve();
  }

  /** Rows one claim leases: WAVES_PER_CLAIM times what the calls in flight hold, so one statement feeds them all. */
  private get claimLimit(): number {
    return this.transport.maxBatchSize * this.options.config.outbox.batchesInFlight * WAVES_PER_CLAIM;
  }

  /**
   * One round: mark the rows in `unmarked` sent and lease new ones (one short statement, committed),
   * send them with no transaction or connection held, then record what became of each row. When
   * every row was sent they are left in `unmarked`, for the next round's statement to mark (or
   * `markSent` when there is none); any other outcome is recorded at once. Throws, after recording,
   * when a call failed whole for a passing reason.
   */
  private async relayOnce(unmarked: ClaimedRow[]): Promise<{ standard: number; fifo: number }> {
    const shape = { table: this.table, limit: this.claimLimit, leaseSeconds: this.options.config.outbox.leaseSeconds };
    // The mark first, so the next due time (read before the claim, so this round's own leases do
    // not count as one) no longer sees the marked rows' leases.
    const statements = [BOOKKEEPING_COMMIT, ...(unmarked.length > 0 ? [markSentSql(shape, unmarked.map((row) => row.id))] : []), nextDueSql(shape), standardClaimSql(shape)];
    const results = (await this.onConnection((client) => client.query(statements.join('; ')))) as unknown as QueryResult[];
    const [next, claim] = results.slice(-2) as [QueryResult<{ ms: number | null }>, QueryResult<ClaimedRow>];
    this.afterMarked(unmarked.splice(0));
    const nextDueMs = next.rows[0]?.ms;
    this.nextDueAt = nextDueMs === null || nextDueMs === undefined ? undefined : Date.now() + nextDueMs;
    const standard = claim.rows;
    const fifo = this.publishesFifo ? await this.claimFifo({ ...shape, limit: this.claimLimit }) : [];
    // A full claim means a backlog: another round claims while this one's calls are out.
    if ((standard.length >= this.claimLimit || fifo.length > 0) && this.activeLoops < ROUNDS_IN_FLIGHT) void this.claimLoop();
    if (standard.length + fifo.length === 0) {
      this.metrics.relayClaims.inc({ result: 'empty' });
      return { standard: 0, fifo: 0 };
    }
    this.metrics.relayClaims.inc({ result: 'rows' });
    const result = mergeSendResults(await Promise.all([this.sender.sendStandard(standard), this.sender.sendFifo(fifo)]));
    if (result.refused.length === 0 && result.unsent.length === 0) unmarked.push(...result.sent);
    else await this.record(result);
    if (result.error) throw result.error;
    return { standard: standard.length, fifo: fifo.length };
  }

  /** Marks rows sent, in a statement of its own: the last round of a loop, or one that failed, with no claim to carry it. */
  private async markSent(rows: ClaimedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.onConnection((client) => client.query(`${BOOKKEEPING_COMMIT}; ${markSentSql({ table: this.table }, rows.map((row) => row.id))}`));
    this.afterMarked(rows);
  }

  /** Rows now marked published: counted, their lag observed, and announced. */
  private afterMarked(rows: readonly ClaimedRow[]): void {
    const now = Date.now();
    for (const row of rows) {
      this.metrics.published.inc({ type: row.type });
      this.metrics.relayLag.observe(Math.max(0, now - new Date(row.due_at).getTime()) / 1000);
      this.observer.emit('published', { eventId: row.event_id, type: row.type });
    }
  }

  private get table(): string {
    return (this.quotedTable ??= quotedTable(this.dataSource.manager, OutboxMessage));
  }

  /**
   * A statement on a pool connection, held only for it. A checked-out client whose server goes away
   * emits 'error'; unheard, that would end the process (TypeORM's query runners listen the same
   * way). The query in flight fails on its own; the broken connection is discarded.
   */
  private async onConnection<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await (this.dataSource.driver as unknown as { master: Pool }).master.connect();
    let broken: Error | undefined;
    const onConnectionError = (error: Error) => (broken = error);
    client.on('error', onConnectionError);
    try {
      return await work(client);
    } catch (error) {
      broken ??= isConnectionLost(error) ? (error as Error) : undefined;
      throw error;
    } finally {
      client.off('error', onConnectionError);
      client.release(broken);
    }
  }

  private async claimFifo(shape: ClaimShape): Promise<ClaimedRow[]> {
    try {
      const results = (await this.onConnection((client) => client.query(`${BOOKKEEPING_COMMIT}; ${fifoClaimSql(shape)}`))) as unknown as QueryResult<ClaimedRow>[];
      return results[1].rows;
    } catch (error) {
      // A row of a candidate group is locked by a caller cancelling or rescheduling it: this round
      // leaves FIFO alone rather than pass it over.
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return [];
      throw error;
    }
  }

  private async record(result: SendResult): Promise<void> {
    const outcomes: RowOutcome[] = [];
    const parked: { row: ClaimedRow; cause: 'refused' | 'attempts' }[] = [];
    for (const { row, code, reason } of result.refused) {
      const decision = this.retryPolicy.decide({ code }, row.attempts + 1);
      if (decision.action === 'retry') {
        outcomes.push({ id: row.id, outcome: 'retry', reason, delayMs: decision.delayMs });
      } else {
        outcomes.push({ id: row.id, outcome: 'park', reason });
        parked.push({ row, cause: decision.cause });
      }
    }
    outcomes.push(...result.unsent.map((row) => ({ id: row.id, outcome: 'release' as const })));
    outcomes.push(...result.sent.map((row) => ({ id: row.id, outcome: 'sent' as const })));
    await this.onConnection((client) => client.query(recordOutcomesSql({ table: this.table }), recordOutcomesParams(outcomes)));
    this.afterMarked(result.sent);
    for (const { row } of result.refused) this.metrics.publishFailures.inc({ type: row.type });
    if (result.refused.length > 0) {
      this.logger.warn({ refused: result.refused.map(({ row, reason }) => ({ id: row.id, type: row.type, reason })) }, 'The broker refused some outbox events; they back off or are parked');
    }
    if (parked.length > 0) {
      for (const { row, cause } of parked) this.metrics.outboxParkedTotal.inc({ type: row.type, cause });
      this.logger.error({ parked: parked.map(({ row, cause }) => ({ id: row.id, type: row.type, cause })) }, 'Outbox events parked: ops outbox release sends them again');
      void this.refreshParkedGauge();
    }
  }

  /** The parked rows of the whole outbox (every replica's), read from the database. */
  private async refreshParkedGauge(): Promise<void> {
    this.parkedCountedAt = Date.now();
    try {
      const [row]: { parked: string }[] = await this.dataSource.query(`SELECT count(*) AS parked FROM ${this.table} WHERE parked_at IS NOT NULL AND published_at IS NULL`);
      this.metrics.outboxParked.set(Number(row.parked));
    } catch (error) {
      this.logger.debug({ err: error }, 'Could not count parked outbox rows');
    }
  }

  /**
   * Wakes the relay when the earliest scheduled row (or lease, or backoff) falls due. The wait was
   * measured by the database clock at the last claim, so a skewed local clock does not move it.
   */
  private armDueTimer(): void {
    clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    if (this.stopping || this.nextDueAt === undefined) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, this.nextDueAt - Date.now()));
    this.dueTimer = setTimeout(() => this.wake(), wait);
    this.dueTimer.unref();
  }

  private async listen(): Promise<void> {
    const schema = (this.dataSource.options as { schema: string }).schema;
    const client = new Client(pgClientConfig(this.options.config.database, `${this.options.topology.service}-outbox-listener`));
    client.on('notification', () => this.wake());
    client.on('error', (error) => {
      // The poll keeps the relay going; reconnect in the background.
      this.logger.warn({ err: error }, 'Outbox LISTEN connection lost; relying on the poll until it is back');
      this.listener = undefined;
      if (!this.stopping) setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${outboxChannel(schema)}"`);
      this.listener = client;
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not LISTEN for outbox inserts; relying on the poll');
      await client.end().catch(() => undefined);
      if (!this.stopping) setTimeout(() => void this.listen().catch(() => undefined), 5000).unref();
    }
  }
}
