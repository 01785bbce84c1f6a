import type { CloudEvent } from '../envelope/cloud-event';
import type { RunSql } from '../outbox/outbox-backlog';

/**
 * The outbox and inbox reads an operator runs beside the outbox's own summary, parked and
 * scheduled reads: the rows due and not sent, the published events a replay sends, and what one
 * business transaction left behind. Written once: the admin routes run them on the service's own
 * data source, the operations CLI on a pool over the same tables. Each takes the quoted
 * `"schema"."table"` it reads.
 */

/** An outbox row as an operator sees it. */
export interface OutboxRecord {
  id: string;
  eventId: string;
  type: string;
  topic: string;
  groupKey: string | null;
  createdAt: Date;
  publishedAt: Date | null;
  attempts: number;
  lastError: string | null;
  envelope: CloudEvent;
}

/** Due to be sent now: not sent, not parked, not scheduled for later. */
const DUE = `published_at IS NULL AND parked_at IS NULL AND (deliver_at IS NULL OR deliver_at <= now())`;

/** Rows due to be sent and not sent yet, oldest first. */
export async function readPendingOutbox(sql: RunSql, table: string, limit: number): Promise<OutboxRecord[]> {
  const rows = await sql<Record<string, unknown>>(`SELECT ${RECORD_COLUMNS} FROM ${table} WHERE ${DUE} ORDER BY id LIMIT $1`, [limit]);
  return rows.map(toRecord);
}

/** Which published events a replay sends: one type, written in [since, until). */
export interface PublishedFilter {
  type: string;
  since?: Date;
  until?: Date;
}

export interface PublishedMatch {
  count: number;
  first: Date | null;
  last: Date | null;
}

export async function countPublished(sql: RunSql, table: string, filter: PublishedFilter): Promise<PublishedMatch> {
  const [row] = await sql<Record<string, unknown>>(
    `SELECT count(*) AS count, min(created_at) AS first, max(created_at) AS last FROM ${table} WHERE ${PUBLISHED_MATCHING}`,
    publishedParams(filter),
  );
  return { count: Number(row.count), first: toDate(row.first), last: toDate(row.last) };
}

/** A keyset page of published events by id: stable while new events keep arriving, and never an OFFSET scan. */
export async function readPublishedPage(sql: RunSql, table: string, filter: PublishedFilter, afterId: string, limit: number): Promise<OutboxRecord[]> {
  const rows = await sql<Record<string, unknown>>(
    `SELECT ${RECORD_COLUMNS} FROM ${table} WHERE ${PUBLISHED_MATCHING} AND id > $4::bigint ORDER BY id LIMIT $5`,
    [...publishedParams(filter), afterId, limit],
  );
  return rows.map(toRecord);
}

/** What one business transaction left in this outbox: found by correlation id, subject or event id. */
export interface FlowQuery {
  correlationId?: string;
  subject?: string;
  eventId?: string;
}

/**
 * The events matching the query, by id. Reads are bounded: a flow is a handful of events. (A scan of
 * the outbox, which its retention keeps small; the console asks only when an operator searches.)
 */
export async function readFlowEvents(sql: RunSql, table: string, query: FlowQuery, limit = 200): Promise<OutboxRecord[]> {
  const rows = await sql<Record<string, unknown>>(
    `SELECT ${RECORD_COLUMNS} FROM ${table}
     WHERE envelope->>'correlationid' = $1 OR envelope->>'subject' = $2 OR event_id::text = $3
     ORDER BY id LIMIT $4`,
    [query.correlationId ?? null, query.subject ?? null, query.eventId ?? null, limit],
  );
  return rows.map(toRecord);
}

/** One handled event, as the consumer's inbox recorded it. */
export interface InboxRecord {
  eventId: string;
  consumer: string;
  type: string;
  handledAt: Date;
  /** The SQS delivery that succeeded (1: the first). */
  attempts: number;
  /** Tries within that delivery, immediate retries included (1: the first). */
  tries: number;
  /** How long the successful handler ran; null on rows recorded before durations were. */
  durationMs: number | null;
}

export async function readInboxRecords(sql: RunSql, table: string, eventIds: readonly string[]): Promise<InboxRecord[]> {
  if (eventIds.length === 0) return [];
  const rows = await sql<Record<string, unknown>>(
    `SELECT event_id, consumer, type, handled_at, attempts, tries, duration_ms FROM ${table} WHERE event_id = ANY($1::text[]) ORDER BY handled_at`,
    [eventIds],
  );
  return rows.map((row) => ({
    eventId: String(row.event_id),
    consumer: String(row.consumer),
    type: String(row.type),
    handledAt: toDate(row.handled_at) ?? new Date(0),
    attempts: Number(row.attempts),
    tries: Number(row.tries),
    durationMs: row.duration_ms === null || row.duration_ms === undefined ? null : Number(row.duration_ms),
  }));
}

const RECORD_COLUMNS = 'id, event_id, type, topic, group_key, created_at, published_at, attempts, last_error, envelope';

const PUBLISHED_MATCHING = `type = $1 AND published_at IS NOT NULL
  AND ($2::timestamptz IS NULL OR created_at >= $2::timestamptz)
  AND ($3::timestamptz IS NULL OR created_at < $3::timestamptz)`;

const publishedParams = (filter: PublishedFilter) => [filter.type, filter.since?.toISOString() ?? null, filter.until?.toISOString() ?? null];

function toRecord(row: Record<string, unknown>): OutboxRecord {
  return {
    id: String(row.id),
    eventId: String(row.event_id),
    type: String(row.type),
    topic: String(row.topic),
    groupKey: (row.group_key as string | null) ?? null,
    createdAt: toDate(row.created_at) ?? new Date(0),
    publishedAt: toDate(row.published_at),
    attempts: Number(row.attempts),
    lastError: (row.last_error as string | null) ?? null,
    envelope: (typeof row.envelope === 'string' ? JSON.parse(row.envelope) : row.envelope) as CloudEvent,
  };
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(String(value));
}
