import type { MetricsSnapshot } from '@app/messaging';
import { percentile, RateWindow } from './rate-window';

const snapshot = (handled: number, buckets: [number | null, number][]): MetricsSnapshot => ({
  takenAt: '',
  received: handled,
  handled,
  retried: handled / 10,
  deadLettered: 0,
  duplicates: 0,
  published: 0,
  handlerDuration: buckets.map(([le, count]) => ({ le: le as number, count })),
});

describe('RateWindow', () => {
  it('gives no rate from one snapshot, then per-minute rates from the difference', () => {
    const window = new RateWindow();
    expect(window.add(snapshot(100, [[0.1, 100], [null, 100]]), 0)).toBeUndefined();
    expect(window.add(snapshot(130, [[0.1, 130], [null, 130]]), 30_000)).toMatchObject({ handledPerMinute: 60, retriedPerMinute: 6, windowSeconds: 30 });
  });

  it('starts again after a restart resets the counters', () => {
    const window = new RateWindow();
    window.add(snapshot(100, []), 0);
    expect(window.add(snapshot(5, []), 10_000)).toBeUndefined();
    expect(window.add(snapshot(35, []), 40_000)).toMatchObject({ handledPerMinute: 60 });
  });
});

describe('percentile', () => {
  it('is the bound of the bucket holding the 95th of the handlings in the window, not since start', () => {
    // Before: 1000 fast ones. In the window: 10 handlings, one of them slow.
    const before = snapshot(1000, [[0.01, 1000], [1, 1000], [null, 1000]]);
    const after = snapshot(1010, [[0.01, 1009], [1, 1010], [null, 1010]]);
    expect(percentile(before, after, 0.5)).toBe(0.01);
    expect(percentile(before, after, 0.95)).toBe(1);
    expect(percentile(after, after, 0.95)).toBeNull();
  });
});
