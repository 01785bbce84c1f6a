import type { ClientConfig } from 'pg';
import type { DatabaseConfig } from '../config/messaging-config';

/**
 * What bounds a hung database for every connection a service opens: a statement running past
 * `statement_timeout` is cancelled by the server, a transaction left idle is ended by it, a connect
 * gives up, and TCP keepalive notices a peer that vanished without closing (a black-holed
 * connection would otherwise wait for the kernel's two hours).
 */
export function connectionBounds(config: DatabaseConfig) {
  return {
    statement_timeout: config.statementTimeoutMs,
    idle_in_transaction_session_timeout: config.idleInTransactionTimeoutMs,
    connectionTimeoutMillis: config.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: config.keepAliveIdleMs,
  };
}

/** The same connection settings as the data source, for the relay's dedicated LISTEN connection. */
export function pgClientConfig(config: DatabaseConfig, applicationName: string): ClientConfig {
  const target = config.url
    ? { connectionString: config.url }
    : { host: config.host, port: config.port, user: config.user, password: config.password, database: config.database };
  return { ...target, application_name: applicationName, ...connectionBounds(config) };
}
