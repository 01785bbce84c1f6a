import { OutboxBacklog as OutboxOperations, runSqlOn, type ScheduledEvent } from '@app/messaging';
import { serviceNamed, type Ops } from './ops-context';

/** One service's outbox at a glance: is the relay keeping up, and when did it last publish? */
export interface OutboxBacklog {
  service: string;
  schema: string;
  /** False when the service's migrations have not run in this database yet; the counts are then zero. */
  migrated: boolean;
  pending: number;
  /** Seconds since the oldest unpublished row was written (by the database clock); null with nothing pending. */
  oldestPendingAgeSeconds: number | null;
  /** Unpublished rows the relay has already tried and failed to send. */
  failing: number;
  lastError: string | null;
  /** Published rows still kept (the outbox holds them for its retention period, for replays). */
  published: number;
  lastPublishedAt: Date | null;
}

interface BacklogRow {
  pending: string;
  oldest_pending_age: number | null;
  failing: string;
  last_error: string | null;
  published: string;
  last_published_at: Date | null;
}

export async function outboxBacklog(ops: Pick<Ops, 'db' | 'services'>): Promise<OutboxBacklog[]> {
  const backlogs: OutboxBacklog[] = [];
  for (const service of ops.services) {
    const schema = service.database.schema;
    const table = `${quoteIdentifier(schema)}.outbox_messages`;
    const base = { service: service.name, schema };
    const { rows: exists } = await ops.db.query<{ table: string | null }>('SELECT to_regclass($1) AS "table"', [table]);
    if (!exists[0]?.table) {
      backlogs.push({ ...base, migrated: false, pending: 0, oldestPendingAgeSeconds: null, failing: 0, lastError: null, published: 0, lastPublishedAt: null });
      continue;
    }
    const { rows } = await ops.db.query<BacklogRow>(`
      SELECT
        count(*) FILTER (WHERE published_at IS NULL) AS pending,
        extract(epoch FROM now() - min(created_at) FILTER (WHERE published_at IS NULL))::float8 AS oldest_pending_age,
        count(*) FILTER (WHERE published_at IS NULL AND attempts > 0) AS failing,
        (SELECT last_error FROM ${table} WHERE published_at IS NULL AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1) AS last_error,
        count(*) FILTER (WHERE published_at IS NOT NULL) AS published,
        max(published_at) AS last_published_at
      FROM ${table}`);
    const row = rows[0];
    backlogs.push({
      ...base,
      migrated: true,
      pending: Number(row.pending),
      oldestPendingAgeSeconds: row.oldest_pending_age === null ? null : Number(row.oldest_pending_age),
      failing: Number(row.failing),
      lastError: row.last_error,
      published: Number(row.published),
      lastPublishedAt: row.last_published_at,
    });
  }
  return backlogs;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A scheduled event of one service. */
export interface ServiceScheduledEvent extends ScheduledEvent {
  service: string;
}

/** Scheduled events not sent yet, per service (or of one), the soonest first. */
export async function scheduledEvents(ops: Pick<Ops, 'db' | 'services'>, options: { service?: string; limit: number }): Promise<ServiceScheduledEvent[]> {
  const services = options.service ? [serviceNamed(ops, options.service)] : ops.services;
  const events: ServiceScheduledEvent[] = [];
  for (const service of services) {
    const outbox = new OutboxOperations(runSqlOn(ops.db), service.database.schema);
    if (!(await outbox.exists())) continue;
    events.push(...(await outbox.scheduled({ limit: options.limit })).map((event) => ({ service: service.name, ...event })));
  }
  return events.sort((a, b) => a.deliverAt.getTime() - b.deliverAt.getTime()).slice(0, options.limit);
}
