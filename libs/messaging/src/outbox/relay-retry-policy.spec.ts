import { RelayRetryPolicy } from './relay-retry-policy';

describe('RelayRetryPolicy', () => {
  const policy = new RelayRetryPolicy(4, { baseMs: 1000, maxMs: 300_000 }, () => 1);

  it('backs off exponentially per attempt, capped at five minutes', () => {
    expect([1, 2, 3, 10, 30].map((attempts) => policy.backoffMs(attempts))).toEqual([1000, 2000, 4000, 300_000, 300_000]);
  });

  it('jitters each delay between half and all of its step', () => {
    expect(new RelayRetryPolicy(4, { baseMs: 1000, maxMs: 300_000 }, () => 0).backoffMs(3)).toBe(2000);
    expect(new RelayRetryPolicy(4, { baseMs: 1000, maxMs: 300_000 }, () => 0.5).backoffMs(3)).toBe(3000);
  });

  it('retries a passing failure until the last allowed attempt, then parks the row', () => {
    expect(policy.decide({ code: 'InternalError' }, 3)).toEqual({ action: 'retry', delayMs: 4000 });
    expect(policy.decide({ code: 'InternalError' }, 4)).toEqual({ action: 'park', cause: 'attempts' });
    expect(policy.decide({}, 4)).toEqual({ action: 'park', cause: 'attempts' });
  });

  it.each(['InvalidParameter', 'InvalidParameterValueException', 'ValidationError', 'BatchRequestTooLongException'])('parks at once what cannot succeed: %s', (code) => {
    expect(policy.decide({ code }, 1)).toEqual({ action: 'park', cause: 'refused' });
  });

  it.each(['Throttled', 'ThrottledException', 'InternalError', 'NotFound', 'KMSThrottling'])('retries what can pass: %s', (code) => {
    expect(policy.decide({ code }, 1).action).toBe('retry');
  });
});
