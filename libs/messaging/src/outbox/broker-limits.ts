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

/** SNS and SQS FIFO: a message group id is 1 to 128 characters, letters, digits and ASCII punctuation. */
const MESSAGE_GROUP_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

/**
 * Why SNS would refuse this FIFO message group id, or undefined when it would not. Publish checks the
 * subject with it, and the transports check each entry with it before sending, so a row written
 * before the check existed is refused alone, with this reason, instead of failing its whole call.
 */
export function messageGroupIdProblem(groupId: string | undefined): string | undefined {
  if (groupId === undefined || groupId.length === 0) return 'a FIFO event needs a subject (its message group id)';
  if (groupId.length > 128) return `the subject is ${groupId.length} characters; a FIFO message group id has at most 128`;
  if (!MESSAGE_GROUP_ID.test(groupId)) return 'the subject has characters a FIFO message group id cannot carry (letters, digits and ASCII punctuation only)';
  return undefined;
}

/**
 * Splits a FIFO batch into what can be sent and the entries whose group id SNS or SQS would refuse,
 * reported as refused with the broker's own code, so they are parked rather than retried.
 */
export function refuseInvalidGroupIds<T extends { rowId: string; groupKey?: string }>(
  fifo: boolean,
  events: readonly T[],
): { sendable: T[]; refused: { rowId: string; code: string; reason: string }[] } {
  if (!fifo) return { sendable: [...events], refused: [] };
  const sendable: T[] = [];
  const refused: { rowId: string; code: string; reason: string }[] = [];
  for (const event of events) {
    const problem = messageGroupIdProblem(event.groupKey);
    if (problem) refused.push({ rowId: event.rowId, code: 'InvalidParameter', reason: `InvalidParameter: ${problem}` });
    else sendable.push(event);
  }
  return { sendable, refused };
}
