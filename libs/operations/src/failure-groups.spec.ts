import type { DeadLetter } from './dead-letters';
import { groupFailures, reasonShape } from './failure-groups';

const letter = (messageId: string, code: string, reason: string, at: string, eventType = 'shop.stock.reserved.v1'): DeadLetter => ({
  messageId,
  eventType,
  code,
  reason,
  deadLetteredAt: at,
  attributes: {},
  originalAttributes: {},
  body: '{}',
});

describe('reasonShape', () => {
  it('masks what varies between messages failing the same way', () => {
    expect(reasonShape('order 8f14e45f-ceea-467f-a0e6-3b1c9a3c1f00 not found after 3 attempts')).toBe('order <id> not found after <n> attempts');
    expect(reasonShape('items.0.sku: expected string, received "42"')).toBe('items.<n>.sku: expected string, received <value>');
    expect(reasonShape(undefined)).toBe('(no reason)');
  });
});

describe('groupFailures', () => {
  it('groups by event type, code and reason shape, with count and first and last seen, biggest first', () => {
    const groups = groupFailures('payments', [
      letter('m1', 'RETRIES_EXHAUSTED', 'HANDLER_ERROR after 5 attempts: order 8f14e45f-ceea-467f-a0e6-3b1c9a3c1f00 not found', '2025-01-01T10:00:00Z'),
      letter('m2', 'NOT_JSON', 'body is not JSON', '2025-01-01T09:00:00Z', undefined as unknown as string),
      letter('m3', 'RETRIES_EXHAUSTED', 'HANDLER_ERROR after 5 attempts: order 0cc175b9-c0f1-4b6a-8311-9a2ad1c3c1f0 not found', '2025-01-01T08:00:00Z'),
      letter('m4', 'SCHEMA_VIOLATION', 'data.orderId: expected string', '2025-01-01T11:00:00Z'),
    ]);
    expect(groups.map((group) => [group.code, group.count])).toEqual([
      ['RETRIES_EXHAUSTED', 2],
      ['SCHEMA_VIOLATION', 1],
      ['NOT_JSON', 1],
    ]);
    expect(groups[0]).toMatchObject({ service: 'payments', messageIds: ['m1', 'm3'], firstSeen: new Date('2025-01-01T08:00:00Z'), lastSeen: new Date('2025-01-01T10:00:00Z') });
    expect(groupFailures('payments', [letter('m9', 'RETRIES_EXHAUSTED', 'HANDLER_ERROR after 5 attempts: order 8f14e45f-ceea-467f-a0e6-3b1c9a3c1f00 not found', 'x')])[0].id).toBe(groups[0].id);
  });
});
