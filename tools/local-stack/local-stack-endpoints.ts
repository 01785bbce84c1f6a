import { mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where a running `npm start` says how to reach it, relative to the repository root (git-ignored
 * with the rest of .data/). The operator CLI reads it when no AWS variables are set, so
 * `npm run ops -- dlq list` beside `npm start` works with nothing exported.
 */
export const LOCAL_STACK_FILE = join('.data', 'local-stack.json');

/** What the services of the local stack are given to reach Postgres and the emulator. */
const ENDPOINT_VARIABLES = [
  'PGHOST',
  'PGPORT',
  'PGUSER',
  'PGPASSWORD',
  'PGDATABASE',
  'AWS_ENDPOINT_URL',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'TOPOLOGY_PREFIX',
] as const;

export interface LocalStackEndpoints {
  /** The local stack's process: a file left by one that is gone is stale. */
  pid: number;
  env: Record<string, string>;
}

export function writeLocalStackEndpoints(file: string, env: NodeJS.ProcessEnv, pid = process.pid): void {
  const endpoints: LocalStackEndpoints = {
    pid,
    env: Object.fromEntries(ENDPOINT_VARIABLES.flatMap((name) => (env[name] ? [[name, env[name]]] : []))),
  };
  mkdirSync(dirname(file), { recursive: true });
  // Written whole or not at all: a reader never sees half a file.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(endpoints, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeLocalStackEndpoints(file: string): void {
  rmSync(file, { force: true });
}

/** The endpoints a local stack wrote, or undefined when there is no file. */
export function readLocalStackEndpoints(file: string): LocalStackEndpoints | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as LocalStackEndpoints;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is only not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
