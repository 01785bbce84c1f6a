import { migrateDataSource, serviceDataSourceOptions, type DatabaseConfig } from '@app/messaging';
import { DataSource } from 'typeorm';
import { openConsoleDatabase } from '../../apps/console/src/console-database';
import { services } from '../services';

/** Runs every service's migrations, each in its own schema, then the operations console's. */
export async function migrateAll(database: DatabaseConfig, only?: string): Promise<string[]> {
  const migrated: string[] = [];
  for (const service of services.filter((candidate) => !only || candidate.name === only)) {
    const dataSource = new DataSource(serviceDataSourceOptions(database, service.database, `${service.name}-migrate`));
    await dataSource.initialize();
    try {
      await migrateDataSource(dataSource);
      migrated.push(service.name);
    } finally {
      await dataSource.destroy();
    }
  }
  if (!only || only === 'console') {
    const consoleDatabase = await openConsoleDatabase({ ...database, migrateOnStart: true });
    await consoleDatabase.destroy();
    migrated.push('console');
  }
  return migrated;
}
