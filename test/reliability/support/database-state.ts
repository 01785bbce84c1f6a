import { Client } from 'pg';

/** Bookkeeping that changes on its own (scheduled jobs stamp their runs), not written by requests. */
const BOOKKEEPING = new Set(['scheduled_job_runs', 'migrations']);

/**
 * A fingerprint of everything the services have written: each table of each service schema, by its
 * row count and a hash of its content. Two equal fingerprints mean no request wrote anything in
 * between: no insert, no update, no delete, in any table.
 */
export class DatabaseState {
  private constructor(private readonly client: Client) {}

  static async connect(env: NodeJS.ProcessEnv): Promise<DatabaseState> {
    const client = new Client({ host: env.PGHOST, port: Number(env.PGPORT), user: env.PGUSER, password: env.PGPASSWORD, database: env.PGDATABASE });
    await client.connect();
    return new DatabaseState(client);
  }

  async fingerprint(): Promise<Record<string, string>> {
    const { rows: tables } = await this.client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema IN ('orders', 'inventory', 'payments', 'billing', 'shipping', 'notifications')
       ORDER BY 1, 2`,
    );
    const fingerprint: Record<string, string> = {};
    for (const { schema, name } of tables.filter((table) => !BOOKKEEPING.has(table.name))) {
      const { rows } = await this.client.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS hash FROM "${schema}"."${name}" t`);
      fingerprint[`${schema}.${name}`] = `${rows[0].n}:${rows[0].hash}`;
    }
    return fingerprint;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
