import { z } from 'zod';
import { booleanFromEnv } from './load-config';

const port = z.coerce.number().int().min(1).max(65535);
/** An empty variable (`OPS_TOKEN=` in a compose file) means unset, not an empty value. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const positiveInt = z.coerce.number().int().positive();

/**
 * What every service reads from its environment. Postgres comes from DATABASE_URL or the libpq PG*
 * variables; SNS/SQS from the standard AWS variables, with AWS_ENDPOINT_URL only for an emulator.
 */
export const messagingEnvSchema = z
  .object({
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: 'expected postgres://user:password@host:port/database' })),
    PGHOST: z.string().default('localhost'),
    PGPORT: port.default(5432),
    PGUSER: z.string().default('postgres'),
    PGPASSWORD: z.string().default('postgres'),
    PGDATABASE: z.string().default('shop'),
    DB_POOL_SIZE: positiveInt.default(10),
    DB_MIGRATE_ON_START: booleanFromEnv.default(true),
    // Bounds on a hung database: a statement, a transaction left open, a connect, a dead peer.
    DB_STATEMENT_TIMEOUT_MS: positiveInt.default(30_000),
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: positiveInt.default(60_000),
    DB_CONNECT_TIMEOUT_MS: positiveInt.default(5000),
    DB_KEEPALIVE_IDLE_MS: positiveInt.default(10_000),
    AWS_REGION: z.string().min(1).default('us-east-1'),
    AWS_ENDPOINT_URL: optional(z.url()),
    AWS_ACCOUNT_ID: optional(z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id')),
    AWS_CONNECT_TIMEOUT_MS: positiveInt.default(3000),
    AWS_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
    TOPOLOGY_PREFIX: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'expected lowercase letters, digits and dashes').default('shop'),
    OUTBOX_POLL_MS: positiveInt.default(2000),
    OUTBOX_RELAY_ENABLED: booleanFromEnv.default(true),
    OUTBOX_BATCHES_IN_FLIGHT: positiveInt.max(50).default(4),
    OUTBOX_LEASE_SECONDS: positiveInt.min(5).max(3600).default(30),
    OUTBOX_MAX_ATTEMPTS: positiveInt.max(1000).default(10),
    OUTBOX_NOTIFY_MS: positiveInt.max(60_000).default(20),
    OUTBOX_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(10),
    OUTBOX_RETRY_BASE_MS: positiveInt.max(3_600_000).default(1000),
    OUTBOX_RETRY_MAX_MS: positiveInt.max(86_400_000).default(300_000),
    CONSUMER_BATCH_SIZE: positiveInt.max(10).default(10),
    CONSUMER_WAIT_SECONDS: z.coerce.number().int().min(0).max(20).default(10),
    CONSUMER_TRANSACTION: z.enum(['message', 'batch']).default('message'),
    CONSUMER_CONCURRENCY: positiveInt.max(1000).default(20),
    VISIBILITY_TIMEOUT_SECONDS: positiveInt.max(43200).default(30),
    CONSUMER_STALL_SECONDS: positiveInt.default(300),
    HANDLER_TIMEOUT_MS: positiveInt.default(60_000),
    MAX_RECEIVE_COUNT: positiveInt.max(1000).default(8),
    RETRY_IMMEDIATE: z.coerce.number().int().min(0).max(10).default(2),
    RETRY_BASE_SECONDS: positiveInt.default(10),
    RETRY_FACTOR: z.coerce.number().min(1).default(3),
    RETRY_MAX_SECONDS: positiveInt.max(43200).default(900),
    RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
    SHUTDOWN_DRAIN_MS: positiveInt.default(20000),
    HEALTH_SAMPLE_MS: positiveInt.default(15_000),
    HEALTH_READY_TIMEOUT_MS: positiveInt.default(2000),
    OPS_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
    HTTP_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'expected a size such as 64kb').default('64kb'),
    OUTBOX_RETENTION_HOURS: positiveInt.default(168),
    INBOX_RETENTION_HOURS: positiveInt.default(336),
    /** Completed process-manager instances; a later event for one finds no instance, so keep them longer than any event can be late. */
    PROCESS_RETENTION_HOURS: positiveInt.default(720),
    RETENTION_SWEEP_MS: positiveInt.default(600_000),
    RETENTION_BATCH_SIZE: positiveInt.max(100_000).default(5000),
  })
  .transform((env, ctx) => {
    // On real AWS the account id builds topic ARNs; on an emulator it is the emulator's fixed one.
    const accountId = env.AWS_ACCOUNT_ID ?? (env.AWS_ENDPOINT_URL ? '000000000000' : undefined);
    if (!accountId) {
      ctx.addIssue({ code: 'custom', path: ['AWS_ACCOUNT_ID'], message: 'required when AWS_ENDPOINT_URL is not set (real AWS)' });
      return z.NEVER;
    }
    if (env.CONSUMER_CONCURRENCY < env.CONSUMER_BATCH_SIZE) {
      ctx.addIssue({ code: 'custom', path: ['CONSUMER_CONCURRENCY'], message: `must be at least CONSUMER_BATCH_SIZE (${env.CONSUMER_BATCH_SIZE})` });
      return z.NEVER;
    }
    // A consumer waiting in a healthy long poll must not look stalled.
    if (env.CONSUMER_STALL_SECONDS <= env.CONSUMER_WAIT_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['CONSUMER_STALL_SECONDS'], message: `must exceed CONSUMER_WAIT_SECONDS (${env.CONSUMER_WAIT_SECONDS})` });
      return z.NEVER;
    }
    // A long poll must be able to finish inside one request.
    if (env.AWS_REQUEST_TIMEOUT_MS < env.CONSUMER_WAIT_SECONDS * 1000 + 5000) {
      ctx.addIssue({ code: 'custom', path: ['AWS_REQUEST_TIMEOUT_MS'], message: `must exceed CONSUMER_WAIT_SECONDS by 5 s at least (${env.CONSUMER_WAIT_SECONDS * 1000 + 5000})` });
      return z.NEVER;
    }
    return {
      logLevel: env.LOG_LEVEL,
      database: {
        url: env.DATABASE_URL,
        host: env.PGHOST,
        port: env.PGPORT,
        user: env.PGUSER,
        password: env.PGPASSWORD,
        database: env.PGDATABASE,
        poolSize: env.DB_POOL_SIZE,
        migrateOnStart: env.DB_MIGRATE_ON_START,
        statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
        idleInTransactionTimeoutMs: env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
        connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
        keepAliveIdleMs: env.DB_KEEPALIVE_IDLE_MS,
      },
      aws: { region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL, accountId, connectTimeoutMs: env.AWS_CONNECT_TIMEOUT_MS, requestTimeoutMs: env.AWS_REQUEST_TIMEOUT_MS },
      topologyPrefix: env.TOPOLOGY_PREFIX,
      outbox: {
        pollIntervalMs: env.OUTBOX_POLL_MS,
        batchesInFlight: env.OUTBOX_BATCHES_IN_FLIGHT,
        relayEnabled: env.OUTBOX_RELAY_ENABLED,
        leaseSeconds: env.OUTBOX_LEASE_SECONDS,
        maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
        notifyIntervalMs: env.OUTBOX_NOTIFY_MS,
        lingerMs: env.OUTBOX_LINGER_MS,
        retry: { baseMs: env.OUTBOX_RETRY_BASE_MS, maxMs: Math.max(env.OUTBOX_RETRY_BASE_MS, env.OUTBOX_RETRY_MAX_MS) },
      },
      consumer: {
        batchSize: env.CONSUMER_BATCH_SIZE,
        waitTimeSeconds: env.CONSUMER_WAIT_SECONDS,
        transaction: env.CONSUMER_TRANSACTION,
        concurrency: env.CONSUMER_CONCURRENCY,
        visibilityTimeoutSeconds: env.VISIBILITY_TIMEOUT_SECONDS,
        stallSeconds: env.CONSUMER_STALL_SECONDS,
        handlerTimeoutMs: env.HANDLER_TIMEOUT_MS,
        maxReceiveCount: env.MAX_RECEIVE_COUNT,
        retry: {
          immediate: env.RETRY_IMMEDIATE,
          baseSeconds: env.RETRY_BASE_SECONDS,
          factor: env.RETRY_FACTOR,
          maxSeconds: env.RETRY_MAX_SECONDS,
          jitter: env.RETRY_JITTER,
        },
      },
      shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
      health: { sampleIntervalMs: env.HEALTH_SAMPLE_MS, readyTimeoutMs: env.HEALTH_READY_TIMEOUT_MS },
      http: { opsToken: env.OPS_TOKEN, bodyLimit: env.HTTP_BODY_LIMIT },
      retention: {
        outboxHours: env.OUTBOX_RETENTION_HOURS,
        inboxHours: env.INBOX_RETENTION_HOURS,
        processHours: env.PROCESS_RETENTION_HOURS,
        sweepIntervalMs: env.RETENTION_SWEEP_MS,
        batchSize: env.RETENTION_BATCH_SIZE,
      },
    };
  });

export type MessagingConfig = z.output<typeof messagingEnvSchema>;
export type DatabaseConfig = MessagingConfig['database'];
export type AwsConfig = MessagingConfig['aws'];
export type RetryPolicy = MessagingConfig['consumer']['retry'];
