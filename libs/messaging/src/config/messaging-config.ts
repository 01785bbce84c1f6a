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
    AWS_REGION: z.string().min(1).default('us-east-1'),
    AWS_ENDPOINT_URL: optional(z.url()),
    AWS_ACCOUNT_ID: optional(z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id')),
    TOPOLOGY_PREFIX: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'expected lowercase letters, digits and dashes').default('shop'),
    OUTBOX_POLL_MS: positiveInt.default(2000),
    OUTBOX_RELAY_ENABLED: booleanFromEnv.default(true),
    OUTBOX_BATCHES_IN_FLIGHT: positiveInt.max(50).default(4),
    CONSUMER_BATCH_SIZE: positiveInt.max(10).default(10),
    CONSUMER_WAIT_SECONDS: z.coerce.number().int().min(0).max(20).default(10),
    CONSUMER_TRANSACTION: z.enum(['message', 'batch']).default('message'),
    VISIBILITY_TIMEOUT_SECONDS: positiveInt.max(43200).default(30),
    MAX_RECEIVE_COUNT: positiveInt.default(5),
    RETRY_BASE_SECONDS: positiveInt.default(1),
    RETRY_FACTOR: z.coerce.number().min(1).default(2),
    RETRY_MAX_SECONDS: positiveInt.max(43200).default(300),
    SHUTDOWN_DRAIN_MS: positiveInt.default(20000),
    OPS_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
    HTTP_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'expected a size such as 64kb').default('64kb'),
    OUTBOX_RETENTION_HOURS: positiveInt.default(168),
    INBOX_RETENTION_HOURS: positiveInt.default(336),
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
      },
      aws: { region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL, accountId },
      topologyPrefix: env.TOPOLOGY_PREFIX,
      outbox: { pollIntervalMs: env.OUTBOX_POLL_MS, batchesInFlight: env.OUTBOX_BATCHES_IN_FLIGHT, relayEnabled: env.OUTBOX_RELAY_ENABLED },
      consumer: {
        batchSize: env.CONSUMER_BATCH_SIZE,
        waitTimeSeconds: env.CONSUMER_WAIT_SECONDS,
        transaction: env.CONSUMER_TRANSACTION,
        visibilityTimeoutSeconds: env.VISIBILITY_TIMEOUT_SECONDS,
        maxReceiveCount: env.MAX_RECEIVE_COUNT,
        retry: { baseSeconds: env.RETRY_BASE_SECONDS, factor: env.RETRY_FACTOR, maxSeconds: env.RETRY_MAX_SECONDS },
      },
      shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
      http: { opsToken: env.OPS_TOKEN, bodyLimit: env.HTTP_BODY_LIMIT },
      retention: {
        outboxHours: env.OUTBOX_RETENTION_HOURS,
        inboxHours: env.INBOX_RETENTION_HOURS,
        sweepIntervalMs: env.RETENTION_SWEEP_MS,
        batchSize: env.RETENTION_BATCH_SIZE,
      },
    };
  });

export type MessagingConfig = z.output<typeof messagingEnvSchema>;
export type DatabaseConfig = MessagingConfig['database'];
export type AwsConfig = MessagingConfig['aws'];
export type RetryPolicy = MessagingConfig['consumer']['retry'];
