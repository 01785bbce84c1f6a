import { createSqsClient, pgClientConfig, TopologyNames, type MessagingConfig } from '@app/messaging';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Pool, type QueryResult, type QueryResultRow } from 'pg';
import { services as shopServices, type ServiceEntry } from '../services';

/** The one query method the commands need; a pg Pool or Client both fit. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * What every command works with. Commands take it as a parameter rather than building it, so a
 * test hands them its own world (database, emulator prefix, service list).
 */
export interface Ops {
  config: MessagingConfig;
  services: readonly ServiceEntry[];
  sqs: SQSClient;
  /** The shared database: each service's outbox is `"<schema>".outbox_messages` in it. */
  db: Queryable;
}

export interface OpenOps extends Ops {
  close(): Promise<void>;
}

/** A mistake of the operator's (unknown service, missing message): printed without a stack trace. */
export class OpsError extends Error {
  override readonly name = 'OpsError';
}

/** Clients for the configured deployment. The database pool connects on first use, so SQS-only commands never touch Postgres. */
export function openOps(config: MessagingConfig, services: readonly ServiceEntry[] = shopServices): OpenOps {
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

export function serviceNamed(ops: Pick<Ops, 'services'>, name: string): ServiceEntry {
  const service = ops.services.find((entry) => entry.name === name);
  if (!service) throw new OpsError(`Unknown service "${name}"; known: ${ops.services.map((entry) => entry.name).join(', ')}`);
  return service;
}

/** The services that have a queue (and so a DLQ): those that consume something. */
export function consumingServices(ops: Pick<Ops, 'services'>): ServiceEntry[] {
  return ops.services.filter((service) => service.topology.consumes.length > 0);
}

export function queueNamesOf(ops: Pick<Ops, 'config'>, service: ServiceEntry): { queue: string; deadLetterQueue: string } {
  if (service.topology.consumes.length === 0) throw new OpsError(`"${service.name}" consumes no events, so it has no queue`);
  const names = new TopologyNames(ops.config.topologyPrefix);
  return { queue: names.queue(service.topology), deadLetterQueue: names.deadLetterQueue(service.topology) };
}
