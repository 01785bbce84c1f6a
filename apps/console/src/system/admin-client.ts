import type { FlowQuery, InboxRecord, MetricsSnapshot, OutboxRecord, OutboxSummary, ParkedEvent, PublishedFilter, PublishedMatch, ReleaseSelection, ScheduledEvent } from '@app/messaging';
import type { PublishedEventSource } from '@app/operations';
import { Inject, Injectable } from '@nestjs/common';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.config';
import type { DirectoryEntry } from './service-directory';

/** A service that did not answer (down, or refusing): the console shows it as down, never as an error page. */
export class ServiceUnreachable extends Error {
  constructor(
    readonly service: string,
    reason: string,
  ) {
    super(`${service}: ${reason}`);
  }
}

export interface AdminStatus {
  outbox: { status: string; pending?: number; oldestPendingSeconds?: number; message?: string };
  sqs: { status: string; approximateMessages?: number; consumes?: boolean; message?: string };
  consumer: { status: string; sinceLastPollSeconds?: number; consumes?: boolean };
}

export interface ServiceOutbox {
  summary: OutboxSummary;
  pending: OutboxRecord[];
  parked: ParkedEvent[];
  scheduled: ScheduledEvent[];
}

/** JSON from the wire: dates arrive as strings. */
type Wire<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

/**
 * The services' token-guarded admin API (`/admin/messaging`), the only way the console reads a
 * service: it works the same when every service has a database of its own.
 */
@Injectable()
export class AdminClient {
  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  status(service: DirectoryEntry): Promise<AdminStatus> {
    return this.get(service, '');
  }

  metrics(service: DirectoryEntry): Promise<MetricsSnapshot> {
    return this.get(service, '/metrics');
  }

  async outbox(service: DirectoryEntry, limit = 50): Promise<ServiceOutbox> {
    const body = await this.get<{ summary: Wire<OutboxSummary>; pending: Wire<OutboxRecord>[]; parked: Wire<ParkedEvent>[]; scheduled: Wire<ScheduledEvent>[] }>(service, `/outbox?limit=${limit}`);
    return {
      summary: { ...body.summary, lastPublishedAt: date(body.summary.lastPublishedAt) },
      pending: body.pending.map(record),
      parked: body.parked.map((row) => ({ ...row, parkedAt: new Date(row.parkedAt) })),
      scheduled: body.scheduled.map((row) => ({ ...row, deliverAt: new Date(row.deliverAt), createdAt: new Date(row.createdAt) })),
    };
  }

  /** Sends parked rows again, with the outbox's own release. */
  async release(service: DirectoryEntry, selection: ReleaseSelection): Promise<number> {
    return (await this.post<{ released: number }>(service, '/outbox/release', selection)).released;
  }

  async flow(service: DirectoryEntry, query: FlowQuery): Promise<OutboxRecord[]> {
    const body = await this.get<{ events: Wire<OutboxRecord>[] }>(service, `/flow?${params({ ...query })}`);
    return body.events.map(record);
  }

  async inbox(service: DirectoryEntry, eventIds: readonly string[]): Promise<InboxRecord[]> {
    if (eventIds.length === 0) return [];
    const query = eventIds.map((id) => `eventId=${encodeURIComponent(id)}`).join('&');
    const body = await this.get<{ handled: Wire<InboxRecord>[] }>(service, `/inbox?${query}`);
    // A service not yet migrated to record how its handling went answers without those fields.
    return body.handled.map((row) => ({ ...row, handledAt: new Date(row.handledAt), attempts: row.attempts ?? 1, tries: row.tries ?? 1, durationMs: row.durationMs ?? null }));
  }

  /** The producer's published events, as a replay reads them. */
  publishedEvents(service: DirectoryEntry): PublishedEventSource {
    const page = async (filter: PublishedFilter, after: string, limit: number) => {
      const query = params({ type: filter.type, since: filter.since?.toISOString(), until: filter.until?.toISOString(), after, limit: String(limit) });
      return this.get<Wire<PublishedMatch> & { events: Wire<OutboxRecord>[] }>(service, `/outbox/published?${query}`);
    };
    return {
      count: async (filter) => {
        const body = await page(filter, '0', 1);
        return { count: body.count, first: date(body.first), last: date(body.last) };
      },
      page: async (filter, afterId, limit) => (await page(filter, afterId, limit)).events.map(record),
    };
  }

  async post<T>(service: DirectoryEntry, path: string, body?: unknown): Promise<T> {
    return this.call<T>(service, path, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  }

  private get<T>(service: DirectoryEntry, path: string): Promise<T> {
    return this.call<T>(service, path, { method: 'GET' });
  }

  private async call<T>(service: DirectoryEntry, path: string, init: { method: string; body?: string }): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${service.adminUrl}/admin/messaging${path}`, {
        ...init,
        headers: { authorization: `Bearer ${this.config.operatorToken}`, accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
        signal: AbortSignal.timeout(this.config.adminTimeoutMs),
      });
    } catch (error) {
      throw new ServiceUnreachable(service.name, `${causeOf(error)} at ${service.adminUrl}`);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new ServiceUnreachable(service.name, `admin API answered ${response.status}${response.status === 404 ? ' (is OPS_TOKEN set on the service?)' : ''} ${text.slice(0, 200)}`);
    }
    return (await response.json()) as T;
  }
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
}

function params(values: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
}

const date = (value: string | null) => (value === null ? null : new Date(value));

function record(row: Wire<OutboxRecord>): OutboxRecord {
  return { ...row, createdAt: new Date(row.createdAt), publishedAt: date(row.publishedAt) };
}
