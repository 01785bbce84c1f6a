import { DEAD_LETTER_ATTRIBUTES, deadLetterAttributes } from '@app/messaging';
import type { Message } from '@aws-sdk/client-sqs';
import { redriveAttributes, toDeadLetter } from './dead-letters';

const text = (value: string) => ({ DataType: 'String', StringValue: value, StringListValues: [], BinaryListValues: [] });

const deadLetter = (body: string): Message => ({
  MessageId: 'm-1',
  Body: body,
  Attributes: { SentTimestamp: '1735689600000' },
  MessageAttributes: {
    type: text('test.widget.created.v1'),
    traceparent: text('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
    checksum: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2, 3]), StringListValues: [], BinaryListValues: [] },
    [DEAD_LETTER_ATTRIBUTES.code]: text('SCHEMA_VIOLATION'),
    [DEAD_LETTER_ATTRIBUTES.reason]: text('label: expected string'),
    [DEAD_LETTER_ATTRIBUTES.sourceQueue]: text('https://sqs.example/1/shop-widgets'),
    [DEAD_LETTER_ATTRIBUTES.at]: text('2025-01-01T00:00:00.000Z'),
  },
});

describe('redriveAttributes', () => {
  it('keeps what the message travelled with and drops what dead-lettering added', () => {
    expect(redriveAttributes(deadLetter('{}'))).toEqual({
      type: { DataType: 'String', StringValue: 'test.widget.created.v1' },
      traceparent: { DataType: 'String', StringValue: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      checksum: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2, 3]) },
    });
  });
});

describe('toDeadLetter', () => {
  it('reads the event type and id from a CloudEvent body, raw or SNS-wrapped', () => {
    const envelope = {
      specversion: '1.0',
      id: 'evt-1',
      source: '/test',
      type: 'test.widget.created.v1',
      time: '2025-01-01T00:00:00Z',
      datacontenttype: 'application/json',
      data: {},
      correlationid: 'c-1',
    };
    expect(toDeadLetter(deadLetter(JSON.stringify(envelope)))).toMatchObject({ eventType: 'test.widget.created.v1', eventId: 'evt-1' });
    const wrapped = JSON.stringify({ Type: 'Notification', Message: JSON.stringify(envelope) });
    expect(toDeadLetter(deadLetter(wrapped))).toMatchObject({ eventType: 'test.widget.created.v1', eventId: 'evt-1' });
  });

  it('decodes the dead-letter attributes, and leaves the type empty for a body that is not an event', () => {
    expect(toDeadLetter(deadLetter('not json'))).toEqual(
      expect.objectContaining({
        messageId: 'm-1',
        eventType: undefined,
        code: 'SCHEMA_VIOLATION',
        reason: 'label: expected string',
        sourceQueue: 'https://sqs.example/1/shop-widgets',
        deadLetteredAt: '2025-01-01T00:00:00.000Z',
        sentAt: new Date('2025-01-01T00:00:00.000Z'),
        body: 'not json',
      }),
    );
    expect(toDeadLetter(deadLetter('x')).attributes.checksum).toBe('AQID');
  });
});

describe('toDeadLetter with more original attributes than fit beside the dead-letter ones', () => {
  // Seven attributes: five are copied beside the dead_letter_* ones, all seven are in the JSON record.
  const original: Message = {
    MessageId: 'm-2',
    Body: '{}',
    MessageAttributes: Object.fromEntries(Array.from({ length: 7 }, (_, index) => [`attribute${index}`, { DataType: 'String', StringValue: `value ${index}` }])),
  };
  const letter: Message = {
    MessageId: 'm-2',
    Body: '{}',
    MessageAttributes: deadLetterAttributes(original, { code: 'HANDLER_FAILED', reason: 'boom', sourceQueue: 'https://sqs.example/1/shop-widgets', at: new Date('2025-01-01T00:00:00Z') }),
  };

  it('lists every attribute the message travelled with, not only the plain copies', () => {
    const copied = Object.keys(letter.MessageAttributes ?? {}).filter((name) => name.startsWith('attribute'));
    expect(copied).toHaveLength(5);
    expect(toDeadLetter(letter).originalAttributes).toEqual(Object.fromEntries(Array.from({ length: 7 }, (_, index) => [`attribute${index}`, `value ${index}`])));
  });

  it('falls back to the plain copies when the record is not JSON', () => {
    const tampered: Message = { ...letter, MessageAttributes: { ...letter.MessageAttributes, [DEAD_LETTER_ATTRIBUTES.originalAttributes]: { DataType: 'String', StringValue: '{not json' } } };
    expect(Object.keys(toDeadLetter(tampered).originalAttributes)).toHaveLength(5);
  });
});
