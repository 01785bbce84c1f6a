import { openServiceDataSource, type DatabaseConfig } from '@app/messaging';
import type { DataSource } from 'typeorm';
import { CreateConsoleTables1732300000900 } from './migrations/1732300000900-create-console-tables';

export const CONSOLE_SCHEMA = 'console';
export const CONSOLE_DATABASE = Symbol('CONSOLE_DATABASE');

/** The console's own schema, migrated like a service's: its audit log and archived failures. No service's tables. */
export function openConsoleDatabase(config: DatabaseConfig): Promise<DataSource> {
  return openServiceDataSource(
    {
      type: 'postgres',
      ...(config.url ? { url: config.url } : { host: config.host, port: config.port, username: config.user, password: config.password, database: config.database }),
      schema: CONSOLE_SCHEMA,
      entities: [],
      migrations: [CreateConsoleTables1732300000900],
      migrationsTableName: 'migrations',
      migrationsTransactionMode: 'each',
      synchronize: false,
      applicationName: 'console',
      extra: { max: Math.min(config.poolSize, 5), options: `-c search_path=${CONSOLE_SCHEMA}` },
    },
    config.migrateOnStart,
  );
}
