import { EVENT_TYPE_ATTRIBUTE, type CloudEvent } from '@app/messaging';
import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { ServiceEntry } from '../services';
import { OpsError, serviceNamed, type Ops } from './ops-context';
import { quoteIdentifier } from './outbox';
import { silentProgress, type Progress } from './progress';
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

export interface ReplayPlan {
  type: string;
  producer: ServiceEntry;
  consumer?: ServiceEntry;
  since?: Date;
  until?: Date;
}

export interface ReplayMatch {
  count: number;
  first: Date | null;
  last: Date | null;
}

export interface ReplayResult extends ReplayMatch {
  sent: number;
  /** `id` is the event id. */
  failed: BatchFailure[];
}

interface OutboxRow {
  id: string;
  event_id: string;
  group_key: string | null;
  envelope: CloudEvent;
}

/** Resolves and checks a replay request against the services' topologies before anything is read or sent. */
export function planReplay(ops: Pick<Ops, 'services'>, request: ReplayRequest): ReplayPlan {
  if (request.since && request.until && request.since >= request.until) {
    throw new OpsError(`--since (${request.since.toISOString()}) must be before --until (${request.until.toISOString()})`);
  }
  const publishes = (service: ServiceEntry) => service.topology.publishes.some((contract) => contract.type === request.type);
  let producer: ServiceEntry;
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

/** How many published events the replay would send: the `--dry-run` answer. */
export async function countReplayable(ops: Pick<Ops, 'db'>, plan: ReplayPlan): Promise<ReplayMatch> {
  const { rows } = await ops.db.query<{ count: string; first: Date | null; last: Date | null }>(
    `SELECT count(*) AS count, min(created_at) AS first, max(created_at) AS last FROM ${tableOf(plan)} WHERE ${MATCHING}`,
    matchingParams(plan),
  );
  return { count: Number(rows[0].count), first: rows[0].first, last: rows[0].last };
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
export async function replayEvents(
  ops: Pick<Ops, 'db' | 'sqs'>,
  plan: ReplayPlan,
  queueUrl: string,
  progress: Progress = silentProgress,
  pageSize = 500,
): Promise<ReplayResult> {
  const match = await countReplayable(ops, plan);
  const result: ReplayResult = { ...match, sent: 0, failed: [] };
  const fifo = queueUrl.endsWith('.fifo');
  progress.start(match.count);
  try {
    // Keyset pages by id: stable while new events keep arriving, and never an OFFSET scan.
    let afterId = '0';
    let read = 0;
    for (;;) {
      const { rows } = await ops.db.query<OutboxRow>(
        `SELECT id, event_id, group_key, envelope FROM ${tableOf(plan)} WHERE ${MATCHING} AND id > $4::bigint ORDER BY id LIMIT $5`,
        [...matchingParams(plan), afterId, pageSize],
      );
      if (rows.length === 0) break;
      afterId = rows[rows.length - 1].id;
      const entries = rows.map(
        (row): SendMessageBatchRequestEntry => ({
          Id: row.id,
          MessageBody: JSON.stringify(row.envelope),
          MessageAttributes: { [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: plan.type } },
          ...(fifo ? { MessageGroupId: row.group_key ?? row.envelope.subject ?? 'replay', MessageDeduplicationId: row.event_id } : {}),
        }),
      );
      const outcome = await sendInBatches(ops.sqs, queueUrl, entries);
      const eventIdOf = new Map(rows.map((row) => [row.id, row.event_id]));
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

/** Published rows of the type in [since, until) by the time they were written. */
const MATCHING = `type = $1 AND published_at IS NOT NULL
  AND ($2::timestamptz IS NULL OR created_at >= $2::timestamptz)
  AND ($3::timestamptz IS NULL OR created_at < $3::timestamptz)`;

const matchingParams = (plan: ReplayPlan) => [plan.type, plan.since?.toISOString() ?? null, plan.until?.toISOString() ?? null];

const tableOf = (plan: ReplayPlan) => `${quoteIdentifier(plan.producer.database.schema)}.outbox_messages`;
