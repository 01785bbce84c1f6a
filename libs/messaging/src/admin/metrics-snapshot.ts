import type { MessagingMetrics } from '../metrics/messaging-metrics';

/**
 * The consumer's counters and the handler-duration histogram as plain numbers, summed over event
 * types. Counters only ever grow (until a restart), so a reader that keeps two snapshots gets rates
 * and a windowed p95 from their difference.
 */
export interface MetricsSnapshot {
  takenAt: string;
  received: number;
  handled: number;
  retried: number;
  deadLettered: number;
  duplicates: number;
  published: number;
  /** Cumulative bucket counts of messaging_handler_duration_seconds, by upper bound in seconds (`+Inf` last). */
  handlerDuration: { le: number; count: number }[];
}

export async function takeMetricsSnapshot(metrics: MessagingMetrics): Promise<MetricsSnapshot> {
  const total = async (counter: { get(): Promise<{ values: { value: number }[] }> }) => (await counter.get()).values.reduce((sum, sample) => sum + sample.value, 0);
  const histogram = await metrics.handlerDuration.get();
  const buckets = new Map<number, number>();
  for (const sample of histogram.values) {
    if (sample.metricName !== 'messaging_handler_duration_seconds_bucket') continue;
    const bound = (sample.labels as { le?: string | number }).le;
    const le = bound === '+Inf' ? Number.POSITIVE_INFINITY : Number(bound);
    buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
  }
  return {
    takenAt: new Date().toISOString(),
    received: await total(metrics.received),
    handled: await total(metrics.handled),
    retried: await total(metrics.retried),
    deadLettered: await total(metrics.deadLettered),
    duplicates: await total(metrics.duplicates),
    published: await total(metrics.published),
    // JSON has no Infinity: the last bucket travels as null and means "everything".
    handlerDuration: [...buckets].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count })),
  };
}
