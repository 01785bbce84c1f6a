import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { topicArn } from '../aws/aws-clients';
import type { AwsConfig } from '../config/messaging-config';
import { EVENT_TYPE_ATTRIBUTE } from '../topology/provisioner';
import { TopologyNames } from '../topology/service-topology';
import { BROKER_LIMITS, refuseInvalidGroupIds } from './broker-limits';
import type { BatchOutcome, EventDestination, EventTransport, OutgoingEvent } from './event-transport';

/** Publishes to SNS with PublishBatch; the event type travels as a message attribute for filter policies. */
export class SnsEventTransport implements EventTransport {
  readonly maxBatchSize = BROKER_LIMITS.maxBatchEntries;
  readonly maxBatchBytes = BROKER_LIMITS.maxBatchBytes;
  private readonly names: TopologyNames;

  constructor(
    private readonly sns: SNSClient,
    private readonly aws: AwsConfig,
    prefix: string,
  ) {
    this.names = new TopologyNames(prefix);
  }

  async publishBatch(destination: EventDestination, events: readonly OutgoingEvent[]): Promise<BatchOutcome> {
    if (destination.kind !== 'topic') throw new Error(`SNS publishes to topics, not to ${destination.kind}`);
    const { sendable, refused } = refuseInvalidGroupIds(destination.fifo, events);
    if (sendable.length === 0) return { sent: [], failed: refused };
    const response = await this.sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn(this.aws, this.names.topic(destination)),
        PublishBatchRequestEntries: sendable.map((event) => ({
          Id: event.rowId,
          Message: event.body,
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
