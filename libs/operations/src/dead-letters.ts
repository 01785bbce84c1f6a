import { DEAD_LETTER_ATTRIBUTES, locateQueue, originalAttributesOf, parseCloudEvent } from '@app/messaging';
import type { Message, MessageAttributeValue, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { consumingServices, OpsError, queueNamesOf, serviceNamed, type OperatedService, type QueueOps } from './operations-context';
import { silentProgress, type Progress } from './progress';
import { QueueBrowser, queueDepth, type BrowseOptions, type QueueDepth } from './queue-browser';
import { deleteInBatches, sendInBatches, type BatchFailure } from './sqs-batches';

/** One message of a DLQ, decoded for people: what it was, why it is there, and since when. */
export interface DeadLetter {
  /** The id of the copy in the DLQ: what `dlq show` and `dlq redrive --message` take. */
  messageId: string;
  /** From the body, when it is a CloudEvent (raw or SNS-wrapped). */
  eventType?: string;
  eventId?: string;
  code?: string;
  reason?: string;
  sourceQueue?: string;
  /** As the consumer stamped it; absent on messages SQS moved itself after maxReceiveCount. */
  deadLetteredAt?: string;
  /** When the message entered the DLQ (SQS's SentTimestamp). */
  sentAt?: Date;
  /** The dead letter's own message attributes as text (binary ones base64): the dead_letter_* ones and the copies. */
  attributes: Record<string, string>;
  /**
   * Every attribute the message travelled with before it was dead-lettered, as text: restored from
   * the dead letter's JSON record, so all of them, not only the few copied beside it.
   */
  originalAttributes: Record<string, string>;
  body: string;
}

export interface ServiceQueueDepths {
  service: string;
  queue: string;
  deadLetterQueue: string;
  /** Absent when the queues could not be read; `problem` says why. */
  queueDepth?: QueueDepth;
  deadLetterDepth?: QueueDepth;
  problem?: string;
}

export interface DeadLetterListing {
  service: string;
  deadLetterQueue: string;
  depth: QueueDepth;
  messages: DeadLetter[];
  /** More messages were visible than the limit allowed to show. */
  truncated: boolean;
}

/** One message, several chosen ones (a page's selection, a failure group), or everything in the DLQ now. */
export type RedriveSelection = { messageId: string } | { messageIds: readonly string[] } | { all: true };

export interface RedriveOptions {
  /** Most messages moved per second, so a big redrive does not flood a service that just recovered. */
  ratePerSecond?: number;
  browse?: BrowseOptions;
}

export interface RedriveResult {
  service: string;
  from: string;
  to: string;
  moved: number;
  /** Dead-lettered after the redrive started (typically what it just moved, failing again): left for later. */
  skipped: number;
  failed: BatchFailure[];
}

/** Peeking holds messages only briefly; a redrive holds a batch while it moves it. */
const PEEK: BrowseOptions = { holdSeconds: 30, waitSeconds: 1 };
const REDRIVE: BrowseOptions = { holdSeconds: 300, waitSeconds: 1 };

/** Every consuming service's queue and DLQ depth. A queue that cannot be read is reported on its row, not thrown. */
export async function deadLetterOverview(ops: QueueOps): Promise<ServiceQueueDepths[]> {
  return Promise.all(
    consumingServices(ops).map(async (service) => {
      const names = queueNamesOf(ops, service);
      const row: ServiceQueueDepths = { service: service.name, ...names };
      try {
        const urls = await locate(ops, service);
        [row.queueDepth, row.deadLetterDepth] = await Promise.all([queueDepth(ops.sqs, urls.queue), queueDepth(ops.sqs, urls.deadLetterQueue)]);
      } catch (error) {
        row.problem = (error as Error).message;
      }
      return row;
    }),
  );
}

/** The DLQ's depth and up to `limit` of its messages, read without consuming any. */
export async function listDeadLetters(ops: QueueOps, serviceName: string, options: { limit: number; browse?: BrowseOptions }): Promise<DeadLetterListing> {
  const service = serviceNamed(ops, serviceName);
  const urls = await locate(ops, service);
  const depth = await queueDepth(ops.sqs, urls.deadLetterQueue);
  const browser = new QueueBrowser(ops.sqs, urls.deadLetterQueue, options.browse ?? PEEK);
  const messages: DeadLetter[] = [];
  let truncated = false;
  try {
    for (let batch = await browser.next(); batch; batch = await browser.next()) {
      messages.push(...batch.map(toDeadLetter));
      if (messages.length >= options.limit) {
        truncated = messages.length > options.limit || (await browser.next()) !== undefined;
        break;
      }
    }
  } finally {
    await browser.release();
  }
  messages.sort((a, b) => (a.sentAt?.getTime() ?? 0) - (b.sentAt?.getTime() ?? 0));
  return { service: service.name, deadLetterQueue: queueNamesOf(ops, service).deadLetterQueue, depth, messages: messages.slice(0, options.limit), truncated };
}

/** One dead letter in full, read without consuming it. */
export async function showDeadLetter(ops: QueueOps, serviceName: string, messageId: string, browse: BrowseOptions = PEEK): Promise<DeadLetter> {
  const service = serviceNamed(ops, serviceName);
  const urls = await locate(ops, service);
  const browser = new QueueBrowser(ops.sqs, urls.deadLetterQueue, browse);
  try {
    return toDeadLetter(await find(browser, messageId, queueNamesOf(ops, service).deadLetterQueue));
  } finally {
    await browser.release();
  }
}

/**
 * Moves dead letters back to the service's queue: sends the original body and attributes (less the
 * dead_letter_* ones), then deletes the DLQ copy. A crash between the two leaves a copy in both
 * places, which is fine: consumers dedupe by event id. Messages dead-lettered after the redrive
 * started are left alone, so poison that fails again is not driven round in circles. On a FIFO
 * queue each batch goes back in its original order (SQS's sequence numbers), one after the other.
 */
export async function redriveDeadLetters(
  ops: QueueOps,
  serviceName: string,
  selection: RedriveSelection,
  progress: Progress = silentProgress,
  options: RedriveOptions | BrowseOptions = {},
): Promise<RedriveResult> {
  const { browse = REDRIVE, ratePerSecond } = 'holdSeconds' in options ? { browse: options } : options;
  const service = serviceNamed(ops, serviceName);
  const names = queueNamesOf(ops, service);
  const urls = await locate(ops, service);
  const result: RedriveResult = { service: service.name, from: names.deadLetterQueue, to: names.queue, moved: 0, skipped: 0, failed: [] };
  const browser = new QueueBrowser(ops.sqs, urls.deadLetterQueue, browse);
  const fifo = names.queue.endsWith('.fifo');
  const pace = pacer(ratePerSecond);
  const move = async (messages: Message[]) => {
    const outcome = await moveBack(ops, urls, browser, fifo ? inOriginalOrder(messages) : messages, fifo);
    result.moved += outcome.moved;
    result.failed.push(...outcome.failed);
    await pace(result.moved + result.failed.length);
  };
  try {
    if ('messageId' in selection) {
      await move([await find(browser, selection.messageId, names.deadLetterQueue)]);
      return result;
    }
    const wanted = 'messageIds' in selection ? new Set(selection.messageIds) : undefined;
    const startedAt = Date.now();
    let expected = wanted ? wanted.size : (await queueDepth(ops.sqs, urls.deadLetterQueue)).visible;
    progress.start(expected);
    for (let batch = await browser.next(); batch; batch = await browser.next()) {
      const chosen = wanted ? batch.filter((message) => wanted.delete(message.MessageId ?? '')) : batch;
      const due = chosen.filter((message) => Number(message.Attributes?.SentTimestamp ?? 0) < startedAt);
      result.skipped += chosen.length - due.length;
      if (due.length > 0) {
        await move(due);
        // The starting depth was SQS's approximation; never let the bar run past its end.
        const done = result.moved + result.failed.length;
        if (done > expected) progress.setTotal((expected = done));
        progress.increment(due.length);
      }
      if (wanted && wanted.size === 0) break;
    }
    wanted?.forEach((id) => result.failed.push({ id, reason: `not in ${names.deadLetterQueue} (already retried, or held by another reader for a moment)` }));
    return result;
  } finally {
    progress.stop();
    await browser.release();
  }
}

/**
 * Sends back one dead letter with a corrected body (the rest of its attributes as they were), then
 * deletes the original. The caller validates the body first (see `checkEditedEvent`).
 */
export async function retryEdited(ops: QueueOps, serviceName: string, messageId: string, body: string, browse: BrowseOptions = PEEK): Promise<RedriveResult> {
  const service = serviceNamed(ops, serviceName);
  const names = queueNamesOf(ops, service);
  const urls = await locate(ops, service);
  const browser = new QueueBrowser(ops.sqs, urls.deadLetterQueue, browse);
  try {
    const original = await find(browser, messageId, names.deadLetterQueue);
    const outcome = await moveBack(ops, urls, browser, [{ ...original, Body: body }], names.queue.endsWith('.fifo'));
    return { service: service.name, from: names.deadLetterQueue, to: names.queue, moved: outcome.moved, skipped: 0, failed: outcome.failed };
  } finally {
    await browser.release();
  }
}

/** A FIFO group's messages by SQS's sequence number: the order they were first sent in. */
function inOriginalOrder(messages: Message[]): Message[] {
  const sequence = (message: Message) => BigInt(message.Attributes?.SequenceNumber ?? '0');
  return [...messages].sort((a, b) => (sequence(a) < sequence(b) ? -1 : sequence(a) > sequence(b) ? 1 : 0));
}

/** Waits as long as it takes to stay under the rate; nothing when no rate is set. */
function pacer(ratePerSecond: number | undefined): (done: number) => Promise<void> {
  const startedAt = Date.now();
  return async (done) => {
    if (!ratePerSecond) return;
    const due = startedAt + (done / ratePerSecond) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
}

async function moveBack(
  ops: QueueOps,
  urls: { queue: string; deadLetterQueue: string },
  browser: QueueBrowser,
  messages: Message[],
  fifo: boolean,
): Promise<{ moved: number; failed: BatchFailure[] }> {
  const byEntryId = new Map(messages.map((message, index) => [String(index), message]));
  const entries = [...byEntryId].map(([Id, message]): SendMessageBatchRequestEntry => ({
    Id,
    MessageBody: message.Body ?? '',
    MessageAttributes: redriveAttributes(message),
    ...(fifo ? { MessageGroupId: message.Attributes?.MessageGroupId ?? 'redrive', MessageDeduplicationId: `redrive-${message.MessageId}` } : {}),
  }));
  const sent = await sendInBatches(ops.sqs, urls.queue, entries);
  const messageIdOf = (entryId: string) => byEntryId.get(entryId)?.MessageId ?? entryId;
  const failed = sent.failed.map(({ id, reason }) => ({ id: messageIdOf(id), reason: `not sent: ${reason}` }));
  const deleted = await deleteInBatches(
    ops.sqs,
    urls.deadLetterQueue,
    sent.sent.map((id) => ({ id, receiptHandle: byEntryId.get(id)?.ReceiptHandle ?? '' })),
  );
  deleted.sent.forEach((id) => browser.forget(messageIdOf(id)));
  failed.push(...deleted.failed.map(({ id, reason }) => ({ id: messageIdOf(id), reason: `sent, but still in the DLQ (a later redrive sends it again; consumers dedupe): ${reason}` })));
  return { moved: sent.sent.length, failed };
}

/** The attributes the message had before it was dead-lettered, exactly, in a form SendMessage accepts. */
export function redriveAttributes(message: Message): Record<string, MessageAttributeValue> {
  return originalAttributesOf(message);
}

async function find(browser: QueueBrowser, messageId: string, queueName: string): Promise<Message> {
  for (let batch = await browser.next(); batch; batch = await browser.next()) {
    const match = batch.find((message) => message.MessageId === messageId);
    if (match) return match;
  }
  throw new OpsError(`No message ${messageId} in ${queueName} (already redriven, or held by another reader for a moment)`);
}

async function locate(ops: QueueOps, service: OperatedService): Promise<{ queue: string; deadLetterQueue: string }> {
  const names = queueNamesOf(ops, service);
  const [queue, deadLetterQueue] = await Promise.all([locateQueue(ops.sqs, names.queue), locateQueue(ops.sqs, names.deadLetterQueue)]);
  return { queue, deadLetterQueue };
}

const asText = (attributes: Record<string, MessageAttributeValue>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, value.StringValue ?? (value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : '')]),
  );

/** The original attributes; a record that is not valid JSON (written by hand) falls back to the plain copies. */
function originalsOf(message: Message): Record<string, string> {
  try {
    return asText(originalAttributesOf(message));
  } catch {
    const { [DEAD_LETTER_ATTRIBUTES.originalAttributes]: _record, ...rest } = message.MessageAttributes ?? {};
    return asText(originalAttributesOf({ ...message, MessageAttributes: rest }));
  }
}

export function toDeadLetter(message: Message): DeadLetter {
  const attributes = asText(message.MessageAttributes ?? {});
  const body = message.Body ?? '';
  let envelope: { type: string; id: string } | undefined;
  try {
    envelope = parseCloudEvent(body);
  } catch {
    envelope = undefined;
  }
  const sentAt = message.Attributes?.SentTimestamp;
  return {
    messageId: message.MessageId ?? '',
    eventType: envelope?.type,
    eventId: envelope?.id,
    code: attributes[DEAD_LETTER_ATTRIBUTES.code],
    reason: attributes[DEAD_LETTER_ATTRIBUTES.reason],
    sourceQueue: attributes[DEAD_LETTER_ATTRIBUTES.sourceQueue],
    deadLetteredAt: attributes[DEAD_LETTER_ATTRIBUTES.at],
    sentAt: sentAt ? new Date(Number(sentAt)) : undefined,
    attributes,
    originalAttributes: originalsOf(message),
    body,
  };
}
