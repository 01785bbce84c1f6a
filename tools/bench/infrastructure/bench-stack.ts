import { applyTopology, createSnsClient, createSqsClient, loadConfig, messagingEnvSchema, planTopology, type MessagingConfig, type ServiceTopology } from '@app/messaging';
import { createDatabase, startEmbeddedPostgres } from '@app/messaging/testing';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startLatencyProxy } from './latency-proxy';
import { ServiceChild, type MemoryReading } from './service-child';

export interface BenchStack {
  /** The environment every service under test starts with (plus its own PORT and overrides). */
  readonly env: NodeJS.ProcessEnv;
  readonly config: MessagingConfig;
  /** Scratch folder of this run: database files and the services' logs. */
  readonly workDir: string;
  readonly postgresDataDir: string;
  /** The emulator's endpoint, without the latency proxy: where the bench's own calls go. */
  readonly emulatorEndpoint: string;
  /** The emulator's process, for the CPU meter. */
  readonly emulatorPid: number;
  /** The emulator's memory so far. */
  emulatorMemory(): MemoryReading;
  /**
   * Starts keeping what Postgres writes to its log (plans logged by auto_explain, say); the returned
   * function stops and gives the text.
   */
  capturePostgresLog(): () => string;
  /** A plain connection to the bench database, for loading and watching rows. */
  connect(): Promise<Client>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** fsync and synchronous commit on, as a production database has them. */
  durable: boolean;
  logLevel: string;
  topologies: readonly ServiceTopology[];
  /** Added to every SNS/SQS call the services make (0: the emulator as it is). */
  brokerLatencyMs: number;
}

const DATABASE = 'bench';

/**
 * Real PostgreSQL in a temporary folder and the SNS/SQS emulator in a child process, provisioned with the
 * topologies of the services under test. Everything lives under one resource prefix and one database,
 * each service in its own schema, and is deleted on stop.
 */
export async function startBenchStack(options: StackOptions): Promise<BenchStack> {
  const workDir = mkdtempSync(join(tmpdir(), 'shop-bench-'));
  // As root, Postgres runs as an unprivileged user that must be able to reach its data folder in here.
  chmodSync(workDir, 0o755);
  const postgresDataDir = join(workDir, 'postgres');
  const logCaptures = new Set<string[]>();
  const postgres = await startEmbeddedPostgres({
    dataDir: postgresDataDir,
    persistent: options.durable,
    log: (chunk) => logCaptures.forEach((capture) => capture.push(chunk)),
  });
  const emulator = await ServiceChild.start('emulator', 'infrastructure/emulator-main.js', {}, workDir).catch(async (error: unknown) => {
    await postgres.stop().catch(() => undefined);
    throw error;
  });
  const emulatorEndpoint = `http://127.0.0.1:${emulator.port}`;
  const proxy = options.brokerLatencyMs > 0 ? await startLatencyProxy(emulatorEndpoint, options.brokerLatencyMs) : undefined;
  await createDatabase(postgres, DATABASE);
  const env: NodeJS.ProcessEnv = {
    // Idle long polls end within a second, so services stop promptly between scenarios; a poll
    // returns as soon as a message arrives, so this does not change throughput or latency.
    CONSUMER_WAIT_SECONDS: '1',
    SHUTDOWN_DRAIN_MS: '3000',
    ...libraryTunables(process.env),
    PGHOST: '127.0.0.1',
    PGPORT: String(postgres.port),
    PGUSER: postgres.user,
    PGPASSWORD: postgres.password,
    PGDATABASE: DATABASE,
    // An explicit endpoint on every AWS client: nothing here may reach real AWS.
    AWS_ENDPOINT_URL: emulatorEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    TOPOLOGY_PREFIX: 'bench',
    LOG_LEVEL: options.logLevel,
  };
  // The bench's own calls (loading queues, watching them drain) go straight to the emulator.
  const config = loadConfig(messagingEnvSchema, env);
  if (proxy) env.AWS_ENDPOINT_URL = proxy.endpoint;
  const sns = createSnsClient(config.aws);
  const sqs = createSqsClient(config.aws);
  try {
    const provision = { prefix: config.topologyPrefix, maxReceiveCount: config.consumer.maxReceiveCount };
    await applyTopology(planTopology(options.topologies, provision), { sns, sqs }, { ...provision, aws: config.aws, visibilityTimeoutSeconds: config.consumer.visibilityTimeoutSeconds });
  } finally {
    sns.destroy();
    sqs.destroy();
  }
  const connect = async () => {
    const client = new Client({ host: '127.0.0.1', port: postgres.port, user: postgres.user, password: postgres.password, database: DATABASE, application_name: 'bench' });
    await client.connect();
    return client;
  };
  return {
    env,
    config,
    workDir,
    postgresDataDir,
    emulatorEndpoint,
    emulatorPid: emulator.pid,
    emulatorMemory: () => emulator.memory(),
    capturePostgresLog: () => {
      const chunks: string[] = [];
      logCaptures.add(chunks);
      return () => {
        logCaptures.delete(chunks);
        return chunks.join('');
      };
    },
    connect,
    stop: async () => {
      await proxy?.stop().catch(() => undefined);
      await emulator.stop().catch(() => undefined);
      await postgres.stop().catch(() => undefined);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * The library's tuning variables set where the bench runs (OUTBOX_BATCHES_IN_FLIGHT=16 npm run bench),
 * passed to every service and to the baselines that mirror them, to measure a setting's effect.
 */
function libraryTunables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => /^(OUTBOX_|CONSUMER_|DB_POOL_SIZE$|VISIBILITY_TIMEOUT_SECONDS$|MAX_RECEIVE_COUNT$|RETRY_)/.test(name)));
}
