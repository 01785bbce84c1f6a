import { Client } from 'pg';

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
