import type { Message } from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES, deadLetterAttributes, originalAttributesOf } from './dead-letter-record';

const facts = { code: 'SCHEMA_VIOLATION', reason: 'label: expected string', sourceQueue: 'https://sqs.example/1/shop-widgets', at: new Date('2026-01-01T00:00:00Z') };

describe('dead-letter record', () => {
  it('keeps all ten attributes of a message within the ten SQS allows, and gives them back exactly', () => {
    const MessageAttributes = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`a${index}`, { DataType: 'String', StringValue: `value-${index}` }]));
    MessageAttributes.a9 = { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) } as never;
    const attributes = deadLetterAttributes({ Body: '{}', MessageAttributes }, facts);
    expect(Object.keys(attributes)).toHaveLength(10);
    expect(attributes[DEAD_LETTER_ATTRIBUTES.code].StringValue).toBe('SCHEMA_VIOLATION');
    expect(originalAttributesOf({ MessageAttributes: attributes })).toEqual(MessageAttributes);
  });

  it('reads the originals of a dead letter that has no record, less the dead_letter_* ones', () => {
    const letter: Message = {
      MessageAttributes: { type: { DataType: 'String', StringValue: 'x.v1' }, [DEAD_LETTER_ATTRIBUTES.code]: { DataType: 'String', StringValue: 'NOT_JSON' } },
    };
    expect(originalAttributesOf(letter)).toEqual({ type: { DataType: 'String', StringValue: 'x.v1' } });
  });

  it('stays under the SQS message size by dropping the copies, then shortening the reason', () => {
    const big = 'x'.repeat(130 * 1024);
    const message: Message = { Body: 'b'.repeat(10 * 1024), MessageAttributes: { one: { DataType: 'String', StringValue: big } } };
    const attributes = deadLetterAttributes(message, { ...facts, reason: 'r'.repeat(5000) });
    expect(attributes.one).toBeUndefined();
    expect(originalAttributesOf({ MessageAttributes: attributes })).toEqual(message.MessageAttributes);
  });
});
