import { ConfigurationError, createSqsClient, pgClientConfig, TopologyNames, type MessagingConfig } from '@app/messaging';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Pool, type QueryResult, type QueryResultRow } from 'pg';
import { isRunning, LOCAL_STACK_FILE, readLocalStackEndpoints } from '../local-stack/local-stack-endpoints';
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

/**
 * The environment the CLI reads its configuration from. A deployment named by the environment
 * always wins: AWS_ENDPOINT_URL (an emulator) or AWS_ACCOUNT_ID (real AWS). With neither, it is the
 * local stack that `npm start` is running, from the endpoints it wrote (explicit variables still
 * override single values). With no local stack either, it stops with an error saying what to set:
 * it never guesses its way onto real AWS.
 */
export function opsEnvironment(env: NodeJS.ProcessEnv, localStackFile: string = LOCAL_STACK_FILE): NodeJS.ProcessEnv {
  if (env.AWS_ENDPOINT_URL || env.AWS_ACCOUNT_ID) return env;
  const ways =
    'set AWS_ENDPOINT_URL to reach an emulator (e.g. http://127.0.0.1:4566), or AWS_ACCOUNT_ID (with AWS_REGION and credentials) to reach real AWS, ' +
    'together with DATABASE_URL or PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE';
  const local = readLocalStackEndpoints(localStackFile);
  if (!local) throw new ConfigurationError(`No deployment to operate on: start the local stack with \`npm start\` (the CLI finds it), or ${ways}.`);
  if (!isRunning(local.pid)) {
    throw new ConfigurationError(`The local stack that wrote ${localStackFile} (process ${local.pid}) is no longer running: start it with \`npm start\`, or ${ways}.`);
  }
  return { ...local.env, ...env };
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
