import { formatDeadLetter, formatScheduledEvents, prettyBody, truncate } from './format';

describe('truncate', () => {
  it('flattens whitespace and cuts with an ellipsis', () => {
    expect(truncate('a\n  b', 10)).toBe('a b');
    expect(truncate('abcdefghijk', 5)).toBe('abcd…');
  });
});

describe('prettyBody', () => {
  it('indents JSON and leaves anything else as it is', () => {
    expect(prettyBody('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyBody('not json')).toBe('not json');
  });
});

describe('formatScheduledEvents', () => {
  const event = {
    service: 'orders',
    id: '7',
    eventId: 'evt-7',
    type: 'shop.order.payment-due.v1',
    subject: 'order-1',
    destination: 'own-queue' as const,
    topic: 'orders',
    deliverAt: new Date('2030-01-31T12:00:00Z'),
    dueInSeconds: 273_600,
    createdAt: new Date('2030-01-28T08:00:00Z'),
  };

  it('shows each event with its due time and how long until then, or how overdue it is', () => {
    const text = formatScheduledEvents([event, { ...event, eventId: 'evt-8', destination: 'topic', dueInSeconds: -192 }]);
    expect(text).toMatch(/evt-7\s+shop\.order\.payment-due\.v1\s+order-1\s+own queue\s+2030-01-31T12:00:00\.000Z\s+3d 04h/);
    expect(text).toMatch(/evt-8 .*\s+orders\s+.*overdue 3m 12s/);
  });

  it('says so when nothing is scheduled', () => {
    expect(formatScheduledEvents([])).toBe('No scheduled events are waiting.');
  });
});

describe('formatDeadLetter', () => {
  it('shows every original attribute, and none of the dead_letter_* ones a second time', () => {
    const originalAttributes = Object.fromEntries(Array.from({ length: 7 }, (_, index) => [`attribute${index}`, `value ${index}`]));
    const output = formatDeadLetter({
      messageId: 'm-1',
      code: 'HANDLER_FAILED',
      reason: 'boom',
      // The dead letter's own attributes: two of the originals copied, and the record.
      attributes: { attribute0: 'value 0', attribute1: 'value 1', dead_letter_code: 'HANDLER_FAILED', dead_letter_original_attributes: JSON.stringify({}) },
      originalAttributes,
      body: '{}',
    });
    for (let index = 0; index < 7; index++) expect(output).toContain(`value ${index}`);
    expect(output).not.toContain('dead_letter_original_attributes');
  });
});
