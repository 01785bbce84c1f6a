import { retryDelaySeconds } from './retry-backoff';

describe('retry backoff', () => {
  const policy = { baseSeconds: 2, factor: 3, maxSeconds: 60 };

  it('grows exponentially with each receive', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(policy, n))).toEqual([2, 6, 18, 54]);
  });

  it('never exceeds the cap', () => {
    expect(retryDelaySeconds(policy, 5)).toBe(60);
    expect(retryDelaySeconds(policy, 50)).toBe(60);
  });

  it('treats a missing receive count as the first attempt', () => {
    expect(retryDelaySeconds(policy, 0)).toBe(2);
  });
});
