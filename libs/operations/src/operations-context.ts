import { createSqsClient, pgClientConfig, TopologyNames, type MessagingConfig, type ServiceTopology } from '@app/messaging';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Pool, type QueryResult, type QueryResultRow } from 'pg';

/** What an operation needs to know of a service: its name, its topology and, for database reads, its schema. */
export interface OperatedService {
  name: string;
  topology: ServiceTopology;
  database: { schema: string };
}

/** The one query method the database operations need; a pg Pool or Client both fit. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** What the queue operations work with: the deployment's names and an SQS client. No database. */
export interface QueueOps {
  config: Pick<MessagingConfig, 'topologyPrefix'>;
  services: readonly OperatedService[];
  sqs: SQSClient;
}

/**
 * What every operation works with. Operations take it as a parameter rather than building it, so a
 * test hands them its own world (database, emulator prefix, service list), and the console hands
 * them its own clients.
 */
export interface Ops extends QueueOps {
  config: MessagingConfig;
  /** The shared database: each service's outbox is `"<schema>".outbox_messages` in it. */
  db: Queryable;
}

export interface OpenOps extends Ops {
  close(): Promise<void>;
}

/** A mistake of the operator's (unknown service, missing message): shown without a stack trace. */
export class OpsError extends Error {
  override readonly name = 'OpsError';
}

/** Clients for the configured deployment. The database pool connects on first use, so SQS-only operations never touch Postgres. */
export function openOps(config: MessagingConfig, services: readonly OperatedService[]): OpenOps {
  const sqs = createSqsClient(config.aws);
  const pool = new Pool({ ...pgClientConfig(config.database, 'shop-ops'), max: 2 });
  return {
    config,
    services,
    sqs,
    db: pool,
    close: async () => {
      sqs.destroy();
      await pool.end();
    },
  };
}

export function serviceNamed<S extends OperatedService>(ops: { services: readonly S[] }, name: string): S {
  const service = ops.services.find((entry) => entry.name === name);
  if (!service) throw new OpsError(`Unknown service "${name}"; known: ${ops.services.map((entry) => entry.name).join(', ')}`);
  return service;
}

/** The services that have a queue (and so a DLQ): those that consume something. */
export function consumingServices<S extends OperatedService>(ops: { services: readonly S[] }): S[] {
  return ops.services.filter((service) => service.topology.consumes.length > 0);
}

export function queueNamesOf(ops: Pick<QueueOps, 'config'>, service: OperatedService): { queue: string; deadLetterQueue: string } {
  if (service.topology.consumes.length === 0) throw new OpsError(`"${service.name}" consumes no events, so it has no queue`);
  const names = new TopologyNames(ops.config.topologyPrefix);
  return { queue: names.queue(service.topology), deadLetterQueue: names.deadLetterQueue(service.topology) };
}
