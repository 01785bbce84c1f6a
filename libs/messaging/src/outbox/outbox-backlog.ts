/** Runs one SQL statement and returns its rows: a pg Pool or Client, or a TypeORM DataSource, adapted. */
export type RunSql = <R>(sql: string, params?: unknown[]) => Promise<R[]>;

/** Adapts anything with pg's `query(text, values)` (a Pool, a Client). */
export function runSqlOn(db: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }): RunSql {
  return async <R>(sql: string, params?: unknown[]) => (await db.query(sql, params)).rows as R[];
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
