import { migrateDataSource, serviceDataSourceOptions, type DatabaseConfig } from '@app/messaging';
import { DataSource } from 'typeorm';
import { services } from '../services';

/** Runs every service's migrations, each in its own schema. */
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
  return migrated;
}
