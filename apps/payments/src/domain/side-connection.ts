import { pgClientConfig, type DatabaseConfig } from '@app/messaging';
import { Pool, type PoolClient } from 'pg';

/**
 * A small pool of its own, for work that must commit apart from (and before) the handler's
 * transaction. A handler already holds one connection of the service's pool for its transaction;
 * taking a second one from that same pool could wait for ever once every connection is held by a
 * handler waiting likewise. Nothing run here waits for a lock a handler's transaction holds.
 */
export class SideConnection {
  private readonly pool: Pool;

  constructor(database: DatabaseConfig, schema: string, applicationName: string, size = 2) {
    this.pool = new Pool({ ...pgClientConfig(database, applicationName), max: size, options: `-c search_path=${schema}` });
    // A connection dropped while idle (a database restart) must not end the process.
    this.pool.on('error', () => undefined);
  }

  /** Runs `work` in a transaction of its own, committed before this returns. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client whose server goes away (a database restart) emits 'error'; unheard, that
    // would end the process. The query in flight fails on its own; the broken client is discarded.
    let broken: Error | undefined;
    const onConnectionError = (error: Error) => (broken = error);
    client.on('error', onConnectionError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken ??= rollbackError));
      throw error;
    } finally {
      client.off('error', onConnectionError);
      client.release(broken);
    }
  }

  async query<R extends object>(sql: string, params: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
