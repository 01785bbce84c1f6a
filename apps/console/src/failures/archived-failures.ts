import type { DeadLetter } from '@app/operations';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CONSOLE_DATABASE } from '../console-database';

export interface ArchivedFailure {
  service: string;
  messageId: string;
  eventType: string | null;
  code: string | null;
  reason: string | null;
  body: string;
  archivedAt: Date;
  archivedBy: string;
}

/**
 * Archiving hides a dead letter from the failure lists without deleting it: it stays in its DLQ
 * (until the DLQ's retention), and the console keeps a copy. Restoring shows it again.
 */
@Injectable()
export class ArchivedFailures {
  constructor(@Inject(CONSOLE_DATABASE) private readonly db: DataSource) {}

  async archive(service: string, letters: readonly DeadLetter[], by: string): Promise<number> {
    let archived = 0;
    for (const letter of letters) {
      const rows: unknown[] = await this.db.query(
        `INSERT INTO archived_failures (service, message_id, event_type, code, reason, body, archived_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT DO NOTHING RETURNING message_id`,
        [service, letter.messageId, letter.eventType ?? null, letter.code ?? null, letter.reason ?? null, letter.body, by],
      );
      archived += rows.length;
    }
    return archived;
  }

  async restore(service: string, messageIds: readonly string[]): Promise<number> {
    const rows: unknown[] = await this.db.query(`DELETE FROM archived_failures WHERE service = $1 AND message_id = ANY($2::text[]) RETURNING message_id`, [service, messageIds]);
    return rows.length;
  }

  /** Message ids archived, per service: what the failure lists leave out. */
  async archivedIds(): Promise<Set<string>> {
    const rows: { service: string; message_id: string }[] = await this.db.query(`SELECT service, message_id FROM archived_failures`);
    return new Set(rows.map((row) => `${row.service}/${row.message_id}`));
  }

  async list(): Promise<ArchivedFailure[]> {
    const rows: Record<string, unknown>[] = await this.db.query(`SELECT * FROM archived_failures ORDER BY archived_at DESC LIMIT 500`);
    return rows.map((row) => ({
      service: String(row.service),
      messageId: String(row.message_id),
      eventType: (row.event_type as string | null) ?? null,
      code: (row.code as string | null) ?? null,
      reason: (row.reason as string | null) ?? null,
      body: String(row.body),
      archivedAt: row.archived_at as Date,
      archivedBy: String(row.archived_by),
    }));
  }
}
