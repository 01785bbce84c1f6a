import type { ClientConfig } from 'pg';
import type { DatabaseConfig } from '../config/messaging-config';

/** The same connection settings as the data source, for the relay's dedicated LISTEN connection. */
export function pgClientConfig(config: DatabaseConfig, applicationName: string): ClientConfig {
  return config.url
    ? { connectionString: config.url, application_name: applicationName }
    : { host: config.host, port: config.port, user: config.user, password: config.password, database: config.database, application_name: applicationName };
}
