import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';

/**
 * Message attributes the consumer sets on what it dead-letters. SQS allows ten attributes per
 * message, so the original attributes cannot simply sit beside these four: all of them travel,
 * exactly, as JSON in `originalAttributes`, and as many as fit (five) are also copied as they were
 * for people and tools that read a dead letter's attributes directly. A redrive restores the JSON.
 */
export const DEAD_LETTER_ATTRIBUTES = {
  code: 'dead_letter_code',
  reason: 'dead_letter_reason',
  sourceQueue: 'dead_letter_source_queue',
  at: 'dead_letter_at',
  originalAttributes: 'dead_letter_original_attributes',
} as const;

const DEAD_LETTER_NAMES: ReadonlySet<string> = new Set(Object.values(DEAD_LETTER_ATTRIBUTES));
const SQS_MAX_ATTRIBUTES = 10;
/** SQS's limit on a message: body plus every attribute's name, type and value. */
const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_REASON_CHARACTERS = 1024;

export interface DeadLetterFacts {
  code: string;
  reason: string;
  sourceQueue: string;
  at: Date;
}

type StoredAttribute = { DataType: string; StringValue?: string; BinaryValue?: string };

/** The attributes of a message's dead letter: why, from where, when, and everything it carried. */
export function deadLetterAttributes(message: Message, facts: DeadLetterFacts): Record<string, MessageAttributeValue> {
  const original = Object.entries(message.MessageAttributes ?? {}).filter(([name]) => !DEAD_LETTER_NAMES.has(name));
  const stored: Record<string, StoredAttribute> = Object.fromEntries(original.map(([name, value]) => [name, toStored(value)]));
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const build = (copies: number, reason: string): Record<string, MessageAttributeValue> => ({
    ...Object.fromEntries(original.slice(0, copies).map(([name, value]) => [name, fromStored(toStored(value))])),
    [DEAD_LETTER_ATTRIBUTES.code]: text(facts.code),
    [DEAD_LETTER_ATTRIBUTES.reason]: text(reason),
    [DEAD_LETTER_ATTRIBUTES.sourceQueue]: text(facts.sourceQueue),
    [DEAD_LETTER_ATTRIBUTES.at]: text(facts.at.toISOString()),
    ...(original.length > 0 ? { [DEAD_LETTER_ATTRIBUTES.originalAttributes]: text(JSON.stringify(stored)) } : {}),
  });
  const copies = SQS_MAX_ATTRIBUTES - DEAD_LETTER_NAMES.size;
  let attributes = build(copies, facts.reason.slice(0, MAX_REASON_CHARACTERS));
  // A message near the size limit: the copies go first (the JSON keeps them), then the reason shrinks.
  const body = Buffer.byteLength(message.Body ?? '');
  if (body + attributesBytes(attributes) > SQS_MAX_MESSAGE_BYTES) attributes = build(0, facts.reason.slice(0, MAX_REASON_CHARACTERS));
  const excess = body + attributesBytes(attributes) - SQS_MAX_MESSAGE_BYTES;
  if (excess > 0) attributes = build(0, facts.reason.slice(0, Math.max(0, MAX_REASON_CHARACTERS - excess)));
  return attributes;
}

/**
 * The attributes a dead letter's message had before it was dead-lettered, in a form SendMessage
 * accepts. Dead letters written before the JSON record (or by SQS's own redrive policy) carry
 * their originals as plain attributes beside the dead_letter_* ones.
 */
export function originalAttributesOf(deadLetter: Message): Record<string, MessageAttributeValue> {
  const recorded = deadLetter.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.originalAttributes]?.StringValue;
  if (recorded) {
    const stored = JSON.parse(recorded) as Record<string, StoredAttribute>;
    return Object.fromEntries(Object.entries(stored).map(([name, value]) => [name, fromStored(value)]));
  }
  return Object.fromEntries(
    Object.entries(deadLetter.MessageAttributes ?? {})
      .filter(([name]) => !DEAD_LETTER_NAMES.has(name))
      .map(([name, value]) => [name, fromStored(toStored(value))]),
  );
}

export const isDeadLetterAttribute = (name: string): boolean => DEAD_LETTER_NAMES.has(name);

function toStored(value: MessageAttributeValue): StoredAttribute {
  return value.BinaryValue === undefined
    ? { DataType: value.DataType ?? 'String', StringValue: value.StringValue }
    : { DataType: value.DataType ?? 'Binary', BinaryValue: Buffer.from(value.BinaryValue).toString('base64') };
}

function fromStored(value: StoredAttribute): MessageAttributeValue {
  return value.BinaryValue === undefined
    ? { DataType: value.DataType, StringValue: value.StringValue }
    : { DataType: value.DataType, BinaryValue: new Uint8Array(Buffer.from(value.BinaryValue, 'base64')) };
}

function attributesBytes(attributes: Record<string, MessageAttributeValue>): number {
  return Object.entries(attributes).reduce(
    (sum, [name, value]) =>
      sum + Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + (value.BinaryValue ? value.BinaryValue.byteLength : Buffer.byteLength(value.StringValue ?? '')),
    0,
  );
}
