import type { MetricsSnapshot } from '@app/messaging';

export interface Rates {
  handledPerMinute: number;
  retriedPerMinute: number;
  deadLetteredPerMinute: number;
  /** Seconds; null when nothing was handled in the window. */
  handlerP95Seconds: number | null;
  windowSeconds: number;
}

/**
 * Per-minute rates and a windowed p95 from a service's cumulative counters: the difference between
 * the newest snapshot and the oldest one still inside the window. A restart (counters going down)
 * starts the window again.
 */
export class RateWindow {
  private readonly samples: { at: number; snapshot: MetricsSnapshot }[] = [];

  constructor(private readonly windowMs = 60_000) {}

  add(snapshot: MetricsSnapshot, at = Date.now()): Rates | undefined {
    const last = this.samples.at(-1);
    if (last && snapshot.handled < last.snapshot.handled) this.samples.length = 0;
    this.samples.push({ at, snapshot });
    while (this.samples.length > 2 && this.samples[1].at <= at - this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const seconds = (at - first.at) / 1000;
    if (this.samples.length < 2 || seconds <= 0) return undefined;
    const perMinute = (key: 'handled' | 'retried' | 'deadLettered') => ((snapshot[key] - first.snapshot[key]) / seconds) * 60;
    return {
      handledPerMinute: perMinute('handled'),
      retriedPerMinute: perMinute('retried'),
      deadLetteredPerMinute: perMinute('deadLettered'),
      handlerP95Seconds: percentile(first.snapshot, snapshot, 0.95),
      windowSeconds: seconds,
    };
  }
}

/** The upper bound of the bucket that holds the quantile of what was observed between two snapshots. */
export function percentile(before: MetricsSnapshot, after: MetricsSnapshot, quantile: number): number | null {
  const earlier = new Map(before.handlerDuration.map((bucket) => [bucket.le ?? Number.POSITIVE_INFINITY, bucket.count]));
  const buckets = after.handlerDuration.map((bucket) => ({ le: bucket.le ?? Number.POSITIVE_INFINITY, count: bucket.count - (earlier.get(bucket.le ?? Number.POSITIVE_INFINITY) ?? 0) }));
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  return buckets.find((bucket) => bucket.count >= total * quantile)?.le ?? null;
}
