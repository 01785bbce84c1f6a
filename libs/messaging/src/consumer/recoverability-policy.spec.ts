import { jitteredBackoffMs } from '../timing/jittered-backoff';
import { decideRetry, delayedRetrySeconds } from './recoverability-policy';

describe('recoverability policy', () => {
  const policy = { immediate: 2, baseSeconds: 10, factor: 3, maxSeconds: 900, jitter: 0.2 };
  const middle = () => 0.5;

  it('retries at once, then later, then gives up at the last receive', () => {
    const attempt = (receiveCount: number, triesThisDelivery: number) => decideRetry(policy, { receiveCount, triesThisDelivery, maxReceiveCount: 8 }, middle);
    expect(attempt(1, 1)).toEqual({ kind: 'retry-now' });
    expect(attempt(1, 2)).toEqual({ kind: 'retry-now' });
    expect(attempt(1, 3)).toEqual({ kind: 'retry-later', delaySeconds: 10 });
    expect(attempt(7, 3)).toEqual({ kind: 'retry-later', delaySeconds: 900 });
    expect(attempt(8, 3)).toEqual({ kind: 'exhausted' });
  });

  it('grows the delay towards minutes and never past the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => delayedRetrySeconds(policy, n, middle))).toEqual([10, 30, 90, 270, 810, 900]);
    expect(delayedRetrySeconds(policy, 50, () => 1)).toBe(900);
  });

  it('spreads delays by the jitter, both ways', () => {
    expect(delayedRetrySeconds(policy, 3, () => 0)).toBe(72);
    expect(delayedRetrySeconds(policy, 3, () => 1)).toBe(108);
  });

  it('adds up to most of an hour with the defaults', () => {
    const total = Array.from({ length: 7 }, (_, index) => delayedRetrySeconds(policy, index + 1, middle)).reduce((sum, seconds) => sum + seconds, 0);
    expect(total).toBe(3010);
  });

  it('treats a missing receive count as the first delivery', () => {
    expect(delayedRetrySeconds(policy, 0, middle)).toBe(10);
  });

  it('backs off a failing broker between half and all of a doubling ceiling', () => {
    const backoff = { baseMs: 500, maxMs: 30_000 };
    expect(jitteredBackoffMs(backoff, 1, () => 0)).toBe(250);
    expect(jitteredBackoffMs(backoff, 3, () => 1)).toBe(2000);
    expect(jitteredBackoffMs(backoff, 20, () => 1)).toBe(30_000);
  });
});
