import { OutboxBacklog as OutboxOperations, runSqlOn, type OutboxSummary, type ParkedEvent, type ReleaseSelection, type ScheduledEvent } from '@app/messaging';
import { OpsError, serviceNamed, type OperatedService, type Ops } from './operations-context';

/** One service's outbox at a glance: is the relay keeping up, is anything parked, when did it last publish? */
export interface OutboxBacklog extends OutboxSummary {
  service: string;
  schema: string;
  /** False when the service's migrations have not run in this database yet; the counts are then zero. */
  migrated: boolean;
}

const operationsOn = (ops: Pick<Ops, 'db'>, service: OperatedService) => new OutboxOperations(runSqlOn(ops.db), service.database.schema);

const NOT_MIGRATED: OutboxSummary = { pending: 0, oldestPendingAgeSeconds: null, failing: 0, lastError: null, parked: 0, scheduled: 0, published: 0, lastPublishedAt: null };

export async function outboxBacklog(ops: Pick<Ops, 'db' | 'services'>): Promise<OutboxBacklog[]> {
  const backlogs: OutboxBacklog[] = [];
  for (const service of ops.services) {
    const outbox = operationsOn(ops, service);
    const base = { service: service.name, schema: service.database.schema };
    backlogs.push((await outbox.exists()) ? { ...base, migrated: true, ...(await outbox.summary()) } : { ...base, migrated: false, ...NOT_MIGRATED });
  }
  return backlogs;
}

/** A scheduled event of one service. */
export interface ServiceScheduledEvent extends ScheduledEvent {
  service: string;
}

/** Scheduled events not sent yet, per service (or of one), the soonest first. */
export async function scheduledEvents(ops: Pick<Ops, 'db' | 'services'>, options: { service?: string; limit: number }): Promise<ServiceScheduledEvent[]> {
  const services = options.service ? [serviceNamed(ops, options.service)] : ops.services;
  const events: ServiceScheduledEvent[] = [];
  for (const service of services) {
    const outbox = operationsOn(ops, service);
    if (!(await outbox.exists())) continue;
    events.push(...(await outbox.scheduled({ limit: options.limit })).map((event) => ({ service: service.name, ...event })));
  }
  return events.sort((a, b) => a.deliverAt.getTime() - b.deliverAt.getTime()).slice(0, options.limit);
}

/** A parked row of one service. */
export interface ServiceParkedEvent extends ParkedEvent {
  service: string;
}

/** Rows the relays gave up on, per service (or of one). */
export async function parkedEvents(ops: Pick<Ops, 'db' | 'services'>, options: { service?: string; limit: number }): Promise<ServiceParkedEvent[]> {
  const services = options.service ? [serviceNamed(ops, options.service)] : ops.services;
  const events: ServiceParkedEvent[] = [];
  for (const service of services) {
    const outbox = operationsOn(ops, service);
    if (!(await outbox.exists())) continue;
    events.push(...(await outbox.parked({ limit: options.limit })).map((event) => ({ service: service.name, ...event })));
  }
  return events;
}

/** `<row id>` (as listed), `<event id>` (a UUID), or every parked row of the service. */
export function releaseSelection(id: string | undefined, all: boolean | undefined): ReleaseSelection {
  if (all) return { all: true };
  if (id && /^\d+$/.test(id)) return { id };
  if (id && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return { eventId: id };
  throw new OpsError(`"${id ?? ''}" is neither an outbox row id (a number) nor an event id (a UUID)`);
}

/** Sends parked rows of one service again; returns how many were released. */
export async function releaseParked(ops: Pick<Ops, 'db' | 'services'>, serviceName: string, selection: ReleaseSelection): Promise<{ service: string; released: number }> {
  const service = serviceNamed(ops, serviceName);
  const outbox = operationsOn(ops, service);
  if (!(await outbox.exists())) throw new OpsError(`"${service.name}" has no outbox table in this database (not migrated)`);
  return { service: service.name, released: await outbox.release(selection) };
}
