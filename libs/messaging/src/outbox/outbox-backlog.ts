import type { DataSource } from 'typeorm';
import { outboxChannel } from '../database/messaging-tables.migration';
import { NOT_LEASED, PENDING } from './outbox-claim';

/** Runs one SQL statement and returns its rows: a pg Pool or Client, or a TypeORM DataSource, adapted. */
export type RunSql = <R>(sql: string, params?: unknown[]) => Promise<R[]>;

/** Adapts anything with pg's `query(text, values)` (a Pool, a Client). */
export function runSqlOn(db: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }): RunSql {
  return async <R>(sql: string, params?: unknown[]) => (await db.query(sql, params)).rows as R[];
}

/** Adapts a TypeORM DataSource (a service's own), returning rows for every statement, RETURNING included. */
export function runSqlOnDataSource(dataSource: DataSource): RunSql {
  return async <R>(sql: string, params?: unknown[]) => {
    const runner = dataSource.createQueryRunner();
    try {
      return (await runner.query(sql, params, true)).records as R[];
    } finally {
      await runner.release();
    }
  };
}

/** The operations on a service's own outbox, for its admin routes. */
export function outboxBacklogOf(dataSource: DataSource): OutboxBacklog {
  return new OutboxBacklog(runSqlOnDataSource(dataSource), (dataSource.options as { schema: string }).schema);
}

/** One scheduled event that has not been sent yet. */
export interface ScheduledEvent {
  id: string;
  eventId: string;
  type: string;
  subject: string | null;
  destination: 'topic' | 'own-queue';
  /** Logical topic of the contract (unused when the destination is the service's own queue). */
  topic: string;
  /** The due time, by the database clock. */
  deliverAt: Date;
  /** Seconds until it is due (negative: overdue), by the database clock. */
  dueInSeconds: number;
  createdAt: Date;
}

/** One service's outbox at a glance: is the relay keeping up, is anything stuck? */
export interface OutboxSummary {
  /** Rows due and not sent yet (scheduled rows count once their time has come; parked ones do not). */
  pending: number;
  /** Seconds since the oldest pending row fell due (its commit, or its due time), by the database clock; null with nothing pending. */
  oldestPendingAgeSeconds: number | null;
  /** Pending rows the relay has tried and the broker refused; they back off. */
  failing: number;
  /** The last refusal of a row still not sent (pending or parked). */
  lastError: string | null;
  /** Rows the relay gave up on: `release` sends them again. */
  parked: number;
  /** Scheduled rows not due yet. */
  scheduled: number;
  /** Published rows still kept (for the retention period, for replays). */
  published: number;
  lastPublishedAt: Date | null;
}

/**
 * The outbox's lag, cheap enough to sample on a timer however many timers wait and however many
 * published rows are kept: every part is an ordered index lookup or a bounded count.
 */
export interface OutboxLag {
  /** Rows due now and not claimed, counted up to `LAG_COUNT_CAP` per kind (ready, FIFO, due). */
  pending: number;
  /** Seconds since the oldest of them fell due (its commit, or its due time); null with none. */
  oldestPendingAgeSeconds: number | null;
  parked: number;
}

/** The most rows `lag()` counts of each kind: beyond it, the exact figure does not change what anyone does. */
export const LAG_COUNT_CAP = 10_000;

/** A row the relay gave up on, and why. */
export interface ParkedEvent {
  id: string;
  eventId: string;
  type: string;
  subject: string | null;
  attempts: number;
  reason: string | null;
  parkedAt: Date;
}

/** Which parked rows to send again: one, by outbox row id or event id, or all of them. */
export type ReleaseSelection = { id: string } | { eventId: string } | { all: true };

interface SummaryRow {
  pending: string;
  oldest_pending_age: number | null;
  failing: string;
  last_error: string | null;
  parked: string;
  scheduled: string;
  published: string;
  last_published_at: Date | null;
}

interface ParkedRow {
  id: string;
  event_id: string;
  type: string;
  subject: string | null;
  attempts: number;
  last_error: string | null;
  parked_at: Date;
}

interface ScheduledRow {
  id: string;
  event_id: string;
  type: string;
  subject: string | null;
  destination: 'topic' | 'own-queue';
  topic: string;
  deliver_at: Date;
  due_in_seconds: number;
  created_at: Date;
}

/**
 * What an operator can see and do with one service's outbox, implemented once for every front end
 * (the ops CLI, the admin routes, the console): it takes a way to run SQL and the service's schema.
 */
export class OutboxBacklog {
  private readonly table: string;

  constructor(
    private readonly sql: RunSql,
    readonly schema: string,
  ) {
    this.table = `"${schema.replaceAll('"', '""')}".outbox_messages`;
  }

  /** False when the service's migrations have not run in this database yet. */
  async exists(): Promise<boolean> {
    const [row] = await this.sql<{ table: string | null }>('SELECT to_regclass($1) AS "table"', [this.table]);
    return Boolean(row?.table);
  }

  async summary(): Promise<OutboxSummary> {
    const due = '(deliver_at IS NULL OR deliver_at <= now())';
    const [row] = await this.sql<SummaryRow>(`
      SELECT
        count(*) FILTER (WHERE published_at IS NULL AND parked_at IS NULL AND ${due}) AS pending,
        extract(epoch FROM now() - min(greatest(created_at, deliver_at)) FILTER (WHERE published_at IS NULL AND parked_at IS NULL AND ${due}))::float8 AS oldest_pending_age,
        count(*) FILTER (WHERE published_at IS NULL AND parked_at IS NULL AND attempts > 0) AS failing,
        (SELECT last_error FROM ${this.table} WHERE published_at IS NULL AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1) AS last_error,
        count(*) FILTER (WHERE published_at IS NULL AND parked_at IS NOT NULL) AS parked,
        count(*) FILTER (WHERE published_at IS NULL AND parked_at IS NULL AND NOT ${due}) AS scheduled,
        count(*) FILTER (WHERE published_at IS NOT NULL) AS published,
        max(published_at) AS last_published_at
      FROM ${this.table}`);
    return {
      pending: Number(row.pending),
      oldestPendingAgeSeconds: row.oldest_pending_age === null ? null : Number(row.oldest_pending_age),
      failing: Number(row.failing),
      lastError: row.last_error,
      parked: Number(row.parked),
      scheduled: Number(row.scheduled),
      published: Number(row.published),
      lastPublishedAt: row.last_published_at,
    };
  }

  /**
   * For metrics and health: rows being sent or backing off are not counted (the refusal metrics
   * show those), and neither are timers not due yet. `summary()` is the exact, full-scan figure.
   */
  async lag(): Promise<OutboxLag> {
    const ready = `${PENDING} AND available_at IS NULL AND group_key IS NULL AND ${NOT_LEASED}`;
    const fifo = `${PENDING} AND group_key IS NOT NULL AND (available_at IS NULL OR available_at <= now())`;
    const due = `${PENDING} AND available_at IS NOT NULL AND available_at <= now() AND group_key IS NULL AND ${NOT_LEASED}`;
    const capped = (where: string) => `(SELECT count(*) FROM (SELECT 1 FROM ${this.table} WHERE ${where} LIMIT ${LAG_COUNT_CAP}) AS capped)`;
    const [row] = await this.sql<{ pending: string; oldest: number | null; parked: string }>(`
      SELECT ${capped(ready)} + ${capped(fifo)} + ${capped(due)} AS pending,
        extract(epoch FROM now() - least(
          (SELECT created_at FROM ${this.table} WHERE ${ready} ORDER BY id LIMIT 1),
          (SELECT greatest(created_at, deliver_at) FROM ${this.table} WHERE ${fifo} ORDER BY id LIMIT 1),
          (SELECT greatest(created_at, deliver_at) FROM ${this.table} WHERE ${due} ORDER BY available_at LIMIT 1)
        ))::float8 AS oldest,
        (SELECT count(*) FROM ${this.table} WHERE parked_at IS NOT NULL AND published_at IS NULL) AS parked`);
    return { pending: Number(row.pending), oldestPendingAgeSeconds: row.oldest === null ? null : Number(row.oldest), parked: Number(row.parked) };
  }

  /** Parked rows, oldest first. */
  async parked(options: { limit?: number } = {}): Promise<ParkedEvent[]> {
    const rows = await this.sql<ParkedRow>(
      `SELECT id, event_id, type, envelope->>'subject' AS subject, attempts, last_error, parked_at
       FROM ${this.table} WHERE parked_at IS NOT NULL AND published_at IS NULL ORDER BY id LIMIT $1`,
      [options.limit ?? 100],
    );
    return rows.map((row) => ({
      id: String(row.id),
      eventId: row.event_id,
      type: row.type,
      subject: row.subject,
      attempts: row.attempts,
      reason: row.last_error,
      parkedAt: row.parked_at,
    }));
  }

  /**
   * Sends parked rows again: they return to the relay as new (attempts from zero, the reason kept
   * until they are sent), and every relay of the service is woken. Returns how many were released.
   * A released FIFO row goes after whatever of its group was sent while it was parked.
   */
  async release(selection: ReleaseSelection): Promise<number> {
    const [where, params] =
      'all' in selection ? ['', []] : 'id' in selection ? ['AND id = $1::bigint', [selection.id]] : ['AND event_id = $1::uuid', [selection.eventId]];
    const released = await this.sql<{ id: string }>(
      `UPDATE ${this.table} SET parked_at = NULL, available_at = NULL, leased_until = NULL, attempts = 0
       WHERE parked_at IS NOT NULL AND published_at IS NULL ${where} RETURNING id`,
      params,
    );
    if (released.length > 0) await this.sql(`SELECT pg_notify($1, '')`, [outboxChannel(this.schema)]);
    return released.length;
  }

  /** Scheduled events not sent yet, the soonest first (walks the due-time index, however many are pending). */
  async scheduled(options: { limit?: number } = {}): Promise<ScheduledEvent[]> {
    const rows = await this.sql<ScheduledRow>(
      `SELECT id, event_id, type, envelope->>'subject' AS subject, destination, topic, deliver_at,
              extract(epoch FROM deliver_at - now())::float8 AS due_in_seconds, created_at
       FROM ${this.table}
       WHERE published_at IS NULL AND parked_at IS NULL AND available_at IS NOT NULL AND deliver_at IS NOT NULL
       ORDER BY available_at, id LIMIT $1`,
      [options.limit ?? 100],
    );
    return rows.map((row) => ({
      id: String(row.id),
      eventId: row.event_id,
      type: row.type,
      subject: row.subject,
      destination: row.destination,
      topic: row.topic,
      deliverAt: row.deliver_at,
      dueInSeconds: Number(row.due_in_seconds),
      createdAt: row.created_at,
    }));
  }
}
