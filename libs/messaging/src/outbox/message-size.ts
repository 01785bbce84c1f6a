import { EVENT_TYPE_ATTRIBUTE } from '../topology/provisioner';

/**
 * SNS's and SQS's limits on what one call carries: 10 entries, and 256 KiB for one message and for
 * all the messages of a PublishBatch / SendMessageBatch together.
 */
export const BROKER_LIMITS = { maxBatchEntries: 10, maxBatchBytes: 256 * 1024, maxMessageBytes: 256 * 1024 } as const;

/**
 * The largest event `Outbox.publish` accepts, counted as the broker counts it (body plus
 * attributes). It stays 2 KiB under the broker's limit so that the consumer can still dead-letter
 * the message with its reason attributes added.
 */
export const MAX_EVENT_BYTES = BROKER_LIMITS.maxMessageBytes - 2 * 1024;

/**
 * The size the broker counts for one message: the body's UTF-8 bytes plus, for each message
 * attribute, its name, data type and value. The transports send exactly one attribute, the event
 * type, so the publish-time check, the relay's batching and the transports agree on one number.
 */
export function messageBytes(message: { body: string; type: string }): number {
  return Buffer.byteLength(message.body) + Buffer.byteLength(EVENT_TYPE_ATTRIBUTE) + Buffer.byteLength('String') + Buffer.byteLength(message.type);
}

/**
 * Cuts messages, in order, into batches of at most `maxEntries` entries and `maxBytes` bytes. A
 * message over `maxBytes` on its own goes alone (the broker refuses it, and only it).
 */
export function cutBatches<T extends { body: string; type: string }>(messages: readonly T[], limits: { maxEntries: number; maxBytes: number }): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const bytes = messageBytes(message);
    if (current.length > 0 && (current.length >= limits.maxEntries || currentBytes + bytes > limits.maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
