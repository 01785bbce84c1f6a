// Global setup runs outside Jest's module mapping, so it imports by path.
// eslint-disable-next-line no-restricted-imports -- no path mapping here
import { startEmbeddedPostgres, startEmulator, STACK_ENV } from '../libs/messaging/src/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One real Postgres and one SNS/SQS emulator for the whole run; specs isolate themselves on them. */
export default async function globalSetup(): Promise<void> {
  if (process.env[STACK_ENV.pgPort]) return; // started by the other project of this run
  const dataDir = mkdtempSync(join(tmpdir(), 'shop-test-pg-'));
  const postgres = await startEmbeddedPostgres({ dataDir });
  const emulator = await startEmulator();
  process.env[STACK_ENV.pgPort] = String(postgres.port);
  process.env[STACK_ENV.emulator] = emulator.endpoint;
  (globalThis as { __stack?: unknown }).__stack = { postgres, emulator };
}
