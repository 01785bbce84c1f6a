import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import type { DatabaseConfig } from '../config/messaging-config';
import { connectionBounds } from './postgres-connection';
import { InboxMessage } from '../inbox/inbox-message.entity';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { ProcessInstances1732300000060 } from '../process-manager/process-instances.migration';
import { ScheduledJobRuns1732300000050 } from '../scheduling/scheduled-job-runs.migration';
import { InboxHandling1732300000070 } from './inbox-handling.migration';
import { OutboxHotLease1732300000080 } from './outbox-hot-lease.migration';
import { MessagingTables1732300000000 } from './messaging-tables.migration';
import { OutboxDelivery1732300000010 } from './outbox-delivery.migration';
import { OutboxNotifyGuard1732300000030, OUTBOX_NOTIFY_SETTING } from './outbox-notify-guard.migration';
import { OutboxRelayIndexes1732300000020 } from './outbox-relay-indexes.migration';

export interface ServiceDatabase {
  /** The service's own schema: its tables, its outbox and inbox, its migrations table. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
}

/**
 * Data source options for a service: its schema, its entities plus the outbox/inbox, never `synchronize`.
 * `signalsOutboxCommits`: the process wakes relays after its own commits (the messaging module
 * does), so its sessions ask the outbox trigger not to NOTIFY.
 */
export function serviceDataSourceOptions(
  config: DatabaseConfig,
  database: ServiceDatabase,
  applicationName: string,
  { signalsOutboxCommits = false }: { signalsOutboxCommits?: boolean } = {},
): DataSourceOptions {
  const notify = signalsOutboxCommits ? ` -c ${OUTBOX_NOTIFY_SETTING}=off` : '';
  return {
    type: 'postgres',
    ...(config.url ? { url: config.url } : { host: config.host, port: config.port, username: config.user, password: config.password, database: config.database }),
    schema: database.schema,
    entities: [...(Array.isArray(database.entities) ? database.entities : Object.values(database.entities)), OutboxMessage, InboxMessage],
    // The library's own tables come first, in every service: outbox, inbox, scheduled-job bookkeeping,
    // process-manager instances, then how each inbox row's handling went.
    migrations: [MessagingTables1732300000000, OutboxDelivery1732300000010, OutboxRelayIndexes1732300000020, OutboxNotifyGuard1732300000030, ScheduledJobRuns1732300000050, ProcessInstances1732300000060, InboxHandling1732300000070, OutboxHotLease1732300000080, ...database.migrations],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    applicationName,
    // Unqualified names in a service's migrations and queries resolve to its own schema.
    extra: { max: config.poolSize, options: `-c search_path=${database.schema}${notify}`, ...connectionBounds(config) },
  };
}

/**
 * Opens the data source, creating the service's schema first (the migrations table lives in it),
 * and runs pending migrations when asked to: locally on every start, in a cluster from a Job.
 */
export async function openServiceDataSource(options: DataSourceOptions, migrate: boolean): Promise<DataSource> {
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  if (migrate) await migrateDataSource(dataSource);
  return dataSource;
}

/** Replicas starting together take turns: the advisory lock makes migrating a schema one-at-a-time. */
export async function migrateDataSource(dataSource: DataSource): Promise<void> {
  const schema = (dataSource.options as { schema: string }).schema;
  // Migrations may rightly run longer than any handler's statement (an index build): they get a
  // small pool of their own without the statement timeout.
  const extra = (dataSource.options as { extra?: Record<string, unknown> }).extra ?? {};
  const migrator = new DataSource({ ...dataSource.options, extra: { ...extra, max: 2, statement_timeout: undefined } } as DataSourceOptions);
  await migrator.initialize();
  const lockHolder = migrator.createQueryRunner();
  try {
    await lockHolder.connect();
    await lockHolder.query(`SELECT pg_advisory_lock(hashtext($1))`, [`migrate:${schema}`]);
    await lockHolder.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await migrator.runMigrations({ transaction: 'each' });
  } finally {
    await lockHolder.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`migrate:${schema}`]).catch(() => undefined);
    await lockHolder.release();
    await migrator.destroy();
  }
}
