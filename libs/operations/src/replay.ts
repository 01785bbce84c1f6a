import { countPublished, EVENT_TYPE_ATTRIBUTE, readPublishedPage, runSqlOn, type OutboxRecord, type PublishedFilter, type PublishedMatch } from '@app/messaging';
import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { OpsError, serviceNamed, type OperatedService, type Ops } from './operations-context';
import { silentProgress, type Progress } from './progress';
import { outboxTableOf } from './sql';
import { sendInBatches, type BatchFailure } from './sqs-batches';

export interface ReplayRequest {
  type: string;
  /** The consuming service whose queue gets the events; checked to consume the type. */
  consumer?: string;
  /** The producing service; found from the topologies when only one publishes the type. */
  from?: string;
  /** Written to the outbox at or after this instant. */
  since?: Date;
  /** Written to the outbox before this instant. */
  until?: Date;
}

export interface ReplayPlan<S extends OperatedService = OperatedService> {
  type: string;
  producer: S;
  consumer?: S;
  since?: Date;
  until?: Date;
}

export type ReplayMatch = PublishedMatch;

export interface ReplayResult extends ReplayMatch {
  sent: number;
  /** `id` is the event id. */
  failed: BatchFailure[];
}

/**
 * Where a replay reads the producer's published events: its outbox table in a shared database
 * (the CLI), or its admin API (the console, when every service has a database of its own).
 */
export interface PublishedEventSource {
  count(filter: PublishedFilter): Promise<PublishedMatch>;
  /** Published events with an id above `afterId`, by id, at most `limit`. */
  page(filter: PublishedFilter, afterId: string, limit: number): Promise<OutboxRecord[]>;
}

/** Resolves and checks a replay request against the services' topologies before anything is read or sent. */
export function planReplay<S extends OperatedService>(ops: { services: readonly S[] }, request: ReplayRequest): ReplayPlan<S> {
  if (request.since && request.until && request.since >= request.until) {
    throw new OpsError(`--since (${request.since.toISOString()}) must be before --until (${request.until.toISOString()})`);
  }
  const publishes = (service: S) => service.topology.publishes.some((contract) => contract.type === request.type);
  let producer: S;
  if (request.from) {
    producer = serviceNamed(ops, request.from);
    if (!publishes(producer)) throw new OpsError(`"${producer.name}" does not publish ${request.type}`);
  } else {
    const publishers = ops.services.filter(publishes);
    if (publishers.length === 0) {
      const known = [...new Set(ops.services.flatMap((service) => service.topology.publishes.map((contract) => contract.type)))].sort();
      throw new OpsError(`No service publishes ${request.type}; published types: ${known.join(', ')}`);
    }
    if (publishers.length > 1) throw new OpsError(`${request.type} is published by ${publishers.map((service) => service.name).join(', ')}: choose one with --from`);
    producer = publishers[0];
  }
  const consumer = request.consumer ? serviceNamed(ops, request.consumer) : undefined;
  if (consumer && !consumer.topology.consumes.some((contract) => contract.type === request.type)) {
    // It would only be dead-lettered as UNKNOWN_EVENT_TYPE.
    throw new OpsError(`"${consumer.name}" does not consume ${request.type}`);
  }
  return { type: request.type, producer, consumer, since: request.since, until: request.until };
}

/** The producer's outbox table in the shared database. */
export function databaseEventSource(ops: Pick<Ops, 'db'>, producer: OperatedService): PublishedEventSource {
  const sql = runSqlOn(ops.db);
  const table = outboxTableOf(producer.database.schema);
  return {
    count: (filter) => countPublished(sql, table, filter),
    page: (filter, afterId, limit) => readPublishedPage(sql, table, filter, afterId, limit),
  };
}

/** How many published events the replay would send: the `--dry-run` answer. */
export function countReplayable(ops: Pick<Ops, 'db'>, plan: ReplayPlan): Promise<ReplayMatch> {
  return databaseEventSource(ops, plan.producer).count(filterOf(plan));
}

/** A replay from the shared database (the CLI's). */
export function replayEvents(ops: Pick<Ops, 'db' | 'sqs'>, plan: ReplayPlan, queueUrl: string, progress: Progress = silentProgress, pageSize = 500): Promise<ReplayResult> {
  return replayFrom(databaseEventSource(ops, plan.producer), ops.sqs, plan, queueUrl, progress, pageSize);
}

/**
 * Sends the producer's published events of one type, oldest first, straight to a queue, exactly as
 * SNS would have delivered them (raw body, `type` attribute). This is how a new subscriber catches
 * up on what happened before it subscribed. Consumers dedupe by event id, so replaying an event
 * they already handled is a no-op, and running a replay twice is safe.
 *
 * Only what the outbox still holds can be replayed: published rows are deleted after the outbox
 * retention (OUTBOX_RETENTION_HOURS).
 */
export async function replayFrom(
  source: PublishedEventSource,
  sqs: SQSClient,
  plan: ReplayPlan,
  queueUrl: string,
  progress: Progress = silentProgress,
  pageSize = 500,
): Promise<ReplayResult> {
  const filter = filterOf(plan);
  const match = await source.count(filter);
  const result: ReplayResult = { ...match, sent: 0, failed: [] };
  const fifo = queueUrl.endsWith('.fifo');
  progress.start(match.count);
  try {
    let afterId = '0';
    let read = 0;
    for (;;) {
      const rows = await source.page(filter, afterId, pageSize);
      if (rows.length === 0) break;
      afterId = rows[rows.length - 1].id;
      const entries = rows.map(
        (row): SendMessageBatchRequestEntry => ({
          Id: row.id,
          MessageBody: JSON.stringify(row.envelope),
          MessageAttributes: { [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: plan.type } },
          ...(fifo ? { MessageGroupId: row.groupKey ?? row.envelope.subject ?? 'replay', MessageDeduplicationId: row.eventId } : {}),
        }),
      );
      const outcome = await sendInBatches(sqs, queueUrl, entries);
      const eventIdOf = new Map(rows.map((row) => [row.id, row.eventId]));
      result.sent += outcome.sent.length;
      result.failed.push(...outcome.failed.map(({ id, reason }) => ({ id: eventIdOf.get(id) ?? id, reason })));
      read += rows.length;
      // Events published since the count are replayed too (no --until); keep the bar honest.
      if (read > result.count) progress.setTotal((result.count = read));
      progress.increment(rows.length);
    }
  } finally {
    progress.stop();
  }
  return result;
}

const filterOf = (plan: ReplayPlan): PublishedFilter => ({ type: plan.type, since: plan.since, until: plan.until });
