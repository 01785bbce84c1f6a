import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client, type Pool, type PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/** A plain connection to a spec's database, for assertions on rows. */
export async function connectTo(env: NodeJS.ProcessEnv): Promise<Client> {
  const client = new Client({ host: env.PGHOST, port: Number(env.PGPORT), user: env.PGUSER, password: env.PGPASSWORD, database: env.PGDATABASE });
  await client.connect();
  return client;
}

export async function countRows(client: Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await client.query<{ count: string }>(sql, params);
  return Number(rows[0].count);
}

/**
 * Records the text of every statement the app's pooled connections send from now until `stop()`:
 * each connection is wrapped once, when the pool first hands it out.
 */
export function recordStatements(app: INestApplication): { statements: string[]; stop(): void } {
  const statements: string[] = [];
  const wrapped = new WeakSet<PoolClient>();
  let recording = true;
  const pool = (app.get<DataSource>(getDataSourceToken()).driver as unknown as { master: Pool }).master;
  const record = (client: PoolClient) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (recording && typeof args[0] === 'string') statements.push(args[0]);
      return query(...args);
    };
  };
  pool.on('acquire', record);
  return {
    statements,
    stop: () => {
      recording = false;
      pool.off('acquire', record);
    },
  };
}
