import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { OrderPlaced } from '@app/contracts';
import { createCloudEvent, EVENT_TYPE_ATTRIBUTE, type CloudEvent, type EventPayload } from '@app/messaging';
import { randomUUID } from 'node:crypto';

/** The body every HTTP scenario posts: what the orders service's own e2e tests send. */
export const PLACE_ORDER_REQUEST = {
  customerId: 'customer-bench',
  currency: 'EUR',
  items: [
    { sku: 'SKU-RED-SHIRT', quantity: 2, unitPrice: 1999 },
    { sku: 'SKU-BLUE-HAT', quantity: 1, unitPrice: 2499 },
  ],
};

/**
 * An OrderPlaced event as the orders service writes it for PLACE_ORDER_REQUEST: same source,
 * fields and size, fresh ids. Every throughput scenario sends these, so the relay, the direct
 * PublishBatch baseline and both consumers move identical payloads.
 */
export function orderPlacedEvent(): CloudEvent<EventPayload<typeof OrderPlaced>> {
  const orderId = randomUUID();
  const lines = PLACE_ORDER_REQUEST.items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice }));
  const data = OrderPlaced.schema.parse({
    orderId,
    customerId: PLACE_ORDER_REQUEST.customerId,
    currency: PLACE_ORDER_REQUEST.currency,
    lines,
    total: lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0),
  });
  return createCloudEvent({ source: '/orders', type: OrderPlaced.type, subject: orderId, data, correlationId: randomUUID() });
}

export function orderPlacedEvents(count: number): CloudEvent<EventPayload<typeof OrderPlaced>>[] {
  return Array.from({ length: count }, orderPlacedEvent);
}

const typeAttribute = { [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: OrderPlaced.type } };

/**
 * The relay's physical limit: the same bodies, straight to SNS, PublishBatch of 10, `concurrency`
 * calls in flight at all times (the relay keeps the same number in flight per claim).
 */
export async function publishBatches(sns: SNSClient, topicArn: string, bodies: readonly string[], concurrency: number, onProgress?: (sent: number) => void): Promise<number> {
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const start = next;
      next += 10;
      const entries = bodies.slice(start, start + 10).map((body, index) => ({ Id: String(start + index), Message: body, MessageAttributes: typeAttribute }));
      const response = await sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }));
      if (response.Failed?.length) throw new Error(`SNS refused ${response.Failed.length} entries: ${response.Failed[0].Code} ${response.Failed[0].Message ?? ''}`);
      sent += response.Successful?.length ?? 0;
      onProgress?.(sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sent;
}

/**
 * Puts messages on a queue exactly as SNS raw delivery does (body and `type` attribute), hidden
 * for `delaySeconds`, so a consumer that is already running finds the whole backlog at once.
 */
export async function loadQueue(sqs: SQSClient, queueUrl: string, bodies: readonly string[], delaySeconds: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const start = next;
      next += 10;
      const entries = bodies.slice(start, start + 10).map((body, index) => ({ Id: String(index), MessageBody: body, MessageAttributes: typeAttribute, DelaySeconds: delaySeconds }));
      const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      if (response.Failed?.length) throw new Error(`SQS refused ${response.Failed.length} entries: ${response.Failed[0].Code}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
