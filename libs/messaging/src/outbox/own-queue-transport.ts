import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { EVENT_TYPE_ATTRIBUTE } from '../topology/provisioner';
import { BROKER_LIMITS, refuseInvalidGroupIds } from './broker-limits';
import type { BatchOutcome, EventDestination, EventTransport, OutgoingEvent } from './event-transport';

/**
 * Sends to the service's own SQS queue with SendMessageBatch, bypassing every topic: the message
 * reaches this service alone, through its ordinary consumer (inbox, retries, dead letters). The
 * body is the raw CloudEvent, as a raw-delivery subscription would deliver it.
 */
export class OwnQueueTransport implements EventTransport {
  readonly maxBatchSize = BROKER_LIMITS.maxBatchEntries;
  readonly maxBatchBytes = BROKER_LIMITS.maxBatchBytes;

  constructor(
    private readonly sqs: SQSClient,
    /** Null when the service consumes nothing, and so has no queue. */
    private readonly queueUrl: string | null,
  ) {}

  async publishBatch(destination: EventDestination, events: readonly OutgoingEvent[]): Promise<BatchOutcome> {
    if (destination.kind !== 'own-queue') throw new Error(`The own-queue transport does not send to ${destination.kind}`);
    if (!this.queueUrl) throw new Error('This service consumes no events, so it has no queue to send to');
    const { sendable, refused } = refuseInvalidGroupIds(destination.fifo, events);
    if (sendable.length === 0) return { sent: [], failed: refused };
    const response = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: sendable.map((event) => ({
          Id: event.rowId,
          MessageBody: event.body,
          MessageAttributes: { [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: event.type } },
          ...(destination.fifo ? { MessageGroupId: event.groupKey, MessageDeduplicationId: event.eventId } : {}),
        })),
      }),
    );
    return {
      sent: (response.Successful ?? []).map((entry) => entry.Id ?? ''),
      failed: [...refused, ...(response.Failed ?? []).map((entry) => ({ rowId: entry.Id ?? '', code: entry.Code, reason: `${entry.Code}: ${entry.Message ?? ''}` }))],
    };
  }
}
