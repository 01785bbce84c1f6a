import { BROKER_LIMITS, cutBatches, messageBytes, messageGroupIdProblem } from './broker-limits';

const message = (bytes: number, type = 't.e.v1') => ({ body: 'x'.repeat(bytes - messageBytes({ body: '', type })), type });

describe('message size', () => {
  it('counts the body in UTF-8 bytes plus the type attribute (name, data type, value)', () => {
    expect(messageBytes({ body: 'é', type: 'shop.order.placed.v1' })).toBe(2 + 'type'.length + 'String'.length + 'shop.order.placed.v1'.length);
  });

  it('cuts batches by bytes as well as by count, keeping the order', () => {
    const thirtyKiB = Array.from({ length: 10 }, () => message(30 * 1024));
    const batches = cutBatches(thirtyKiB, { maxEntries: 10, maxBytes: BROKER_LIMITS.maxBatchBytes });
    expect(batches.map((batch) => batch.length)).toEqual([8, 2]);
    expect(batches.flat()).toEqual(thirtyKiB);
    for (const batch of batches) expect(batch.reduce((sum, entry) => sum + messageBytes(entry), 0)).toBeLessThanOrEqual(BROKER_LIMITS.maxBatchBytes);
  });

  it('fills a batch to exactly the limit, and sends a message over it alone', () => {
    const exact = [message(BROKER_LIMITS.maxBatchBytes / 2), message(BROKER_LIMITS.maxBatchBytes / 2)];
    expect(cutBatches(exact, { maxEntries: 10, maxBytes: BROKER_LIMITS.maxBatchBytes }).map((batch) => batch.length)).toEqual([2]);
    const oversized = [message(100), message(BROKER_LIMITS.maxBatchBytes + 1), message(100)];
    expect(cutBatches(oversized, { maxEntries: 10, maxBytes: BROKER_LIMITS.maxBatchBytes }).map((batch) => batch.length)).toEqual([1, 1, 1]);
  });

  it('still cuts by count when the messages are small', () => {
    expect(cutBatches(Array.from({ length: 25 }, () => message(100)), { maxEntries: 10, maxBytes: BROKER_LIMITS.maxBatchBytes }).map((batch) => batch.length)).toEqual([10, 10, 5]);
  });
});

describe('FIFO message group id', () => {
  it.each([
    ['order-1', undefined],
    ['a'.repeat(128), undefined],
    ['!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', undefined],
  ])('accepts %j', (groupId, problem) => {
    expect(messageGroupIdProblem(groupId)).toBe(problem);
  });

  it.each([
    ['', /needs a subject/],
    ['a'.repeat(129), /129 characters.*at most 128/],
    ['order 1', /characters/],
    ['ordré', /characters/],
    ['line\nbreak', /characters/],
  ])('refuses %j, saying why', (groupId, reason) => {
    expect(messageGroupIdProblem(groupId)).toMatch(reason);
  });
});
