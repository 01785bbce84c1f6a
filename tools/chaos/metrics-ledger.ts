/** The messaging counters a chaos run reports, by their Prometheus names. */
export const COUNTERS = {
  published: 'messaging_events_published_total',
  publishFailures: 'messaging_publish_failures_total',
  received: 'messaging_messages_received_total',
  handled: 'messaging_messages_handled_total',
  duplicates: 'messaging_messages_duplicate_total',
  retried: 'messaging_messages_retried_total',
  deadLettered: 'messaging_messages_dead_lettered_total',
} as const;

export type CounterName = keyof typeof COUNTERS;

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of the counters above in a /metrics page. */
export function parseCounters(text: string): Sample[] {
  const wanted = new Set<string>(Object.values(COUNTERS));
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || !wanted.has(match[1])) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

const sampleKey = (sample: Sample) => `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;

/**
 * Counters across restarts. A process's counters start from zero, so each service's last scrape
 * before it dies is banked and the new process counts on top. A SIGKILL loses what was counted
 * after the last scrape, which is why the runner scrapes a victim just before killing it; the
 * figures are therefore lower bounds.
 */
export class MetricsLedger {
  private readonly banked = new Map<string, Map<string, Sample>>();
  private readonly latest = new Map<string, Map<string, Sample>>();

  /** The latest scrape of a service's running process. */
  record(service: string, samples: readonly Sample[]): void {
    this.latest.set(service, new Map(samples.map((sample) => [sampleKey(sample), sample])));
  }

  /** The process has ended: what it counted is kept, and the next one starts from zero. */
  bank(service: string): void {
    const banked = this.banked.get(service) ?? new Map<string, Sample>();
    for (const [key, sample] of this.latest.get(service) ?? []) {
      const previous = banked.get(key);
      banked.set(key, { ...sample, value: (previous?.value ?? 0) + sample.value });
    }
    this.banked.set(service, banked);
    this.latest.delete(service);
  }

  private samples(service?: string): Sample[] {
    const services = service ? [service] : [...new Set([...this.banked.keys(), ...this.latest.keys()])];
    return services.flatMap((name) => [...(this.banked.get(name)?.values() ?? []), ...(this.latest.get(name)?.values() ?? [])]);
  }

  /** A counter summed over its labels, for one service or all. */
  total(counter: CounterName, service?: string): number {
    return this.samples(service)
      .filter((sample) => sample.name === COUNTERS[counter])
      .reduce((sum, sample) => sum + sample.value, 0);
  }

  /** A counter summed per value of one label (dead letters per code, say). */
  byLabel(counter: CounterName, label: string, service?: string): Record<string, number> {
    const result: Record<string, number> = {};
    for (const sample of this.samples(service).filter((candidate) => candidate.name === COUNTERS[counter])) {
      const key = sample.labels[label] ?? '(none)';
      result[key] = (result[key] ?? 0) + sample.value;
    }
    return Object.fromEntries(Object.entries(result).filter(([, value]) => value > 0));
  }
}
