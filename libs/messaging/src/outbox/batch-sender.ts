import { SpanStatusCode } from '@opentelemetry/api';
import pLimit, { type Limit } from 'p-limit';
import { contextFromTraceparent, SpanKind, startSpan } from '../tracing/trace-context';
import { cutBatches } from './broker-limits';
import type { EventDestination, EventTransport } from './event-transport';
import type { ClaimedRow } from './outbox-claim';
import { RelayRetryPolicy } from './relay-retry-policy';

/** What the broker did with each row of a round. */
export interface SendResult {
  sent: ClaimedRow[];
  refused: { row: ClaimedRow; code?: string; reason: string }[];
  /** Not sent, through no fault of their own; tried again at once, with no attempt counted. */
  unsent: ClaimedRow[];
  /** Set when a call failed whole for a passing reason (the broker unreachable): the relay pauses. */
  error?: Error;
}

interface Batch {
  destination: EventDestination;
  rows: ClaimedRow[];
}

const empty = (): SendResult => ({ sent: [], refused: [], unsent: [] });

export function mergeSendResults(results: readonly SendResult[]): SendResult {
  return {
    sent: results.flatMap((result) => result.sent),
    refused: results.flatMap((result) => result.refused),
    unsent: results.flatMap((result) => result.unsent),
    error: results.find((result) => result.error)?.error,
  };
}

/**
 * Sends claimed rows through the transport: batches cut by the broker's limits, standard ones in
 * parallel, FIFO ones in waves that keep each message group in order; reports per row what
 * happened. Never throws: a failed call is an outcome for its rows.
 *
 * At most `callsInFlight` calls are with the broker at once, however many rounds send through this
 * sender side by side: a round may claim more rows than one call holds, and the next round may
 * claim while this one's calls are out, without the relay ever pressing harder on the broker.
 */
export class BatchSender {
  private readonly calls: Limit;

  constructor(
    private readonly transport: EventTransport,
    private readonly service: string,
    callsInFlight: number,
  ) {
    this.calls = pLimit(callsInFlight);
  }

  async sendStandard(rows: readonly ClaimedRow[]): Promise<SendResult> {
    return mergeSendResults(await Promise.all(this.batchesOf(rows).map((batch) => this.send(batch))));
  }

  /**
   * One wave holds the next row of every group that is still going; a group whose row was not sent
   * stops there, and its later rows are handed back unsent, so nothing of a group overtakes an
   * earlier event (within one call SNS could accept a later entry after refusing an earlier one).
   */
  async sendFifo(rows: readonly ClaimedRow[]): Promise<SendResult> {
    const groups = new Map<string, ClaimedRow[]>();
    for (const row of [...rows].sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)))) {
      const key = `${row.destination}\u0000${row.topic}\u0000${row.group_key}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    const results: SendResult[] = [];
    while (groups.size > 0) {
      const wave = [...groups.values()].map((queue) => queue[0]);
      const result = mergeSendResults(await Promise.all(this.batchesOf(wave).map((batch) => this.send(batch))));
      results.push(result);
      const sent = new Set(result.sent.map((row) => row.id));
      for (const [key, queue] of groups) {
        const [head, ...rest] = queue;
        if (!sent.has(head.id)) {
          results.push({ ...empty(), unsent: rest });
          groups.delete(key);
        } else if (rest.length === 0) {
          groups.delete(key);
        } else {
          groups.set(key, rest);
        }
      }
    }
    return mergeSendResults(results);
  }

  private batchesOf(rows: readonly ClaimedRow[]): Batch[] {
    const byDestination = new Map<string, ClaimedRow[]>();
    for (const row of rows) {
      const key = `${row.destination}\u0000${row.destination === 'topic' ? row.topic : ''}\u0000${row.group_key !== null}`;
      byDestination.set(key, [...(byDestination.get(key) ?? []), row]);
    }
    const batches: Batch[] = [];
    for (const destinationRows of byDestination.values()) {
      const [first] = destinationRows;
      const fifo = first.group_key !== null;
      const destination: EventDestination = first.destination === 'own-queue' ? { kind: 'own-queue', fifo } : { kind: 'topic', topic: first.topic, fifo };
      // Cut by what the broker counts, bytes as well as entries: ten large rows must not make one
      // call the broker refuses whole, again and again.
      for (const batchRows of cutBatches(destinationRows, { maxEntries: this.transport.maxBatchSize, maxBytes: this.transport.maxBatchBytes })) {
        batches.push({ destination, rows: batchRows });
      }
    }
    return batches;
  }

  /**
   * One call. A call refused whole for a reason that cannot pass (an invalid parameter in one of
   * its entries) is tried again entry by entry, so only the entry at fault is refused; a call that
   * failed for a passing reason leaves its rows unsent.
   */
  private async send(batch: Batch): Promise<SendResult> {
    const spans = new Map(
      batch.rows.map((row) => [
        row.id,
        startSpan(`send ${row.type}`, SpanKind.PRODUCER, contextFromTraceparent(row.traceparent ?? undefined), {
          'messaging.system': row.destination === 'own-queue' ? 'aws_sqs' : 'aws_sns',
          'messaging.destination.name': row.destination === 'own-queue' ? this.service : row.topic,
          'messaging.message.id': row.event_id,
        }),
      ]),
    );
    try {
      const events = batch.rows.map((row) => ({ rowId: row.id, eventId: row.event_id, type: row.type, body: row.body, groupKey: row.group_key ?? undefined }));
      const outcome = await this.calls(() => this.transport.publishBatch(batch.destination, events));
      const sentIds = new Set(outcome.sent);
      const failures = new Map(outcome.failed.map((failure) => [failure.rowId, failure]));
      const result = empty();
      for (const row of batch.rows) {
        const failure = failures.get(row.id);
        if (sentIds.has(row.id)) result.sent.push(row);
        else if (failure) result.refused.push({ row, code: failure.code, reason: failure.reason });
        else result.refused.push({ row, reason: 'the broker reported nothing for this entry' });
      }
      for (const { row, reason } of result.refused) spans.get(row.id)?.setStatus({ code: SpanStatusCode.ERROR, message: reason });
      return result;
    } catch (error) {
      const failure = error as Error;
      spans.forEach((span) => span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message }));
      const code = failure.name;
      if (!RelayRetryPolicy.isPermanent({ code })) return { ...empty(), unsent: batch.rows, error: failure };
      if (batch.rows.length === 1) return { ...empty(), refused: [{ row: batch.rows[0], code, reason: `${code}: ${failure.message}` }] };
      const singles: SendResult[] = [];
      for (const row of batch.rows) singles.push(await this.send({ destination: batch.destination, rows: [row] }));
      return mergeSendResults(singles);
    } finally {
      spans.forEach((span) => span.end());
    }
  }
}
