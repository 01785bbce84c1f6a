import type { BatchOutcome, EventDestination, EventTransport, OutgoingEvent } from './event-transport';

/** The library's transport: topics through SNS, the service's own queue through SQS. */
export class AwsEventTransport implements EventTransport {
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;

  constructor(
    private readonly topics: EventTransport,
    private readonly ownQueue: EventTransport,
  ) {
    this.maxBatchSize = Math.min(topics.maxBatchSize, ownQueue.maxBatchSize);
    this.maxBatchBytes = Math.min(topics.maxBatchBytes, ownQueue.maxBatchBytes);
  }

  publishBatch(destination: EventDestination, events: readonly OutgoingEvent[]): Promise<BatchOutcome> {
    return destination.kind === 'topic' ? this.topics.publishBatch(destination, events) : this.ownQueue.publishBatch(destination, events);
  }
}
