import { randomBytes } from 'node:crypto';
import { createDatabase } from './embedded-stack';

/** Set by the suite's global setup: where the shared embedded Postgres and emulator listen. */
export const STACK_ENV = { pgPort: 'TEST_PG_PORT', emulator: 'TEST_AWS_ENDPOINT_URL' } as const;

/**
 * An isolated world for one spec on the shared stack: its own database and its own resource
 * prefix, so specs run in parallel without seeing each other's rows or messages.
 */
export async function isolatedEnvironment(overrides: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const pgPort = process.env[STACK_ENV.pgPort];
  const endpoint = process.env[STACK_ENV.emulator];
  if (!pgPort || !endpoint) throw new Error('The embedded stack is not running: run specs through jest (its global setup starts it)');
  const id = randomBytes(4).toString('hex');
  const database = `test_${id}`;
  await createDatabase({ port: Number(pgPort), user: 'postgres', password: 'postgres' }, database);
  return {
    PGHOST: '127.0.0.1',
    PGPORT: pgPort,
    PGUSER: 'postgres',
    PGPASSWORD: 'postgres',
    PGDATABASE: database,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    TOPOLOGY_PREFIX: `t${id}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    CONSUMER_WAIT_SECONDS: '1',
    SHUTDOWN_DRAIN_MS: '5000',
    ...overrides,
  };
}
