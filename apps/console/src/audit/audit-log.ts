import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Role } from '../auth/operator-session';
import { CONSOLE_DATABASE } from '../console-database';

export interface AuditEntry {
  who: string;
  role: Role;
  /** What was done: `retry`, `retry-edited`, `archive`, `replay`, `login`, … */
  action: string;
  /** What it was done to: a service, a message id, a failure group. */
  target: string;
  /** How many messages or rows it touched. */
  count: number;
  detail?: Record<string, unknown>;
}

export interface RecordedAuditEntry extends AuditEntry {
  id: string;
  at: Date;
}

/** Who did what, when, to what and to how many: written for every action, before the answer goes back. */
@Injectable()
export class AuditLog {
  constructor(@Inject(CONSOLE_DATABASE) private readonly db: DataSource) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.query(`INSERT INTO audit_log (who, role, action, target, count, detail) VALUES ($1, $2, $3, $4, $5, $6)`, [
      entry.who,
      entry.role,
      entry.action,
      entry.target,
      entry.count,
      entry.detail ? JSON.stringify(entry.detail) : null,
    ]);
  }

  async latest(limit = 200): Promise<RecordedAuditEntry[]> {
    const rows: { id: string; at: Date; who: string; role: Role; action: string; target: string; count: number; detail: Record<string, unknown> | null }[] = await this.db.query(
      `SELECT id, at, who, role, action, target, count, detail FROM audit_log ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ ...row, detail: row.detail ?? undefined }));
  }
}
