import type { InboxRecord, OutboxRecord } from '@app/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { FailureBrowser } from '../failures/failure-browser';
import { AdminClient } from '../system/admin-client';
import { CONSOLE_DIRECTORY, type DirectoryEntry } from '../system/service-directory';

export interface FlowHandling {
  service: string;
  /** When the consumer's inbox recorded it; absent while it is not handled (yet). */
  handledAt?: Date;
  /** How the handling that succeeded went: its delivery, its tries within it, the handler's duration. */
  handling?: Pick<InboxRecord, 'attempts' | 'tries' | 'durationMs'>;
  /** A copy in this consumer's DLQ: why it failed there. */
  deadLetter?: { code?: string; reason?: string; messageId: string };
}

export interface FlowEvent {
  eventId: string;
  type: string;
  producer: string;
  subject?: string;
  correlationId: string;
  causationId?: string;
  createdAt: Date;
  publishedAt: Date | null;
  attempts: number;
  /** Every service subscribed to the type, handled or not. */
  consumers: FlowHandling[];
}

export interface Flow {
  query: string;
  correlationIds: string[];
  events: FlowEvent[];
  /** Services whose admin API did not answer: the flow may miss what they published or handled. */
  unreachable: string[];
}

/**
 * One business transaction across every service, from what they already store: the producers'
 * outbox envelopes (correlation and causation ids, created and published times), the consumers'
 * inbox rows (who handled what, when, in how many attempts, for how long) and the DLQs (where it failed, why).
 */
@Injectable()
export class FlowBuilder {
  constructor(
    @Inject(CONSOLE_DIRECTORY) private readonly directory: readonly DirectoryEntry[],
    private readonly admin: AdminClient,
    private readonly failures: FailureBrowser,
  ) {}

  /** `query` is a correlation id, a subject (an order id) or an event id. */
  async build(query: string): Promise<Flow> {
    const unreachable = new Set<string>();
    const records = new Map<string, { record: OutboxRecord; producer: string }>();
    const collect = async (search: { correlationId?: string; subject?: string; eventId?: string }) => {
      await Promise.all(
        this.directory.map(async (service) => {
          try {
            for (const record of await this.admin.flow(service, search)) records.set(record.eventId, { record, producer: service.name });
          } catch {
            unreachable.add(service.name);
          }
        }),
      );
    };
    await collect({ correlationId: query, subject: query, eventId: query });
    // A subject or an event id names one event of a transaction: fetch the whole transaction.
    const correlationIds = [...new Set([...records.values()].map(({ record }) => record.envelope.correlationid))];
    await Promise.all(correlationIds.filter((id) => id !== query).map((correlationId) => collect({ correlationId })));

    const eventIds = [...records.keys()];
    const handled = new Map<string, InboxRecord>();
    await Promise.all(
      this.directory
        .filter((service) => service.topology.consumes.length > 0)
        .map(async (service) => {
          try {
            for (const row of await this.admin.inbox(service, eventIds)) handled.set(`${row.eventId}/${row.consumer}`, row);
          } catch {
            unreachable.add(service.name);
          }
        }),
    );
    // Only a consumer that has not handled one of these events can hold it in its DLQ: read just those.
    const waiting = new Set(
      [...records.values()].flatMap(({ record }) =>
        this.directory
          .filter((service) => service.topology.consumes.some((contract) => contract.type === record.type) && !handled.has(`${record.eventId}/${service.name}`))
          .map((service) => service.name),
      ),
    );
    const deadLetters = new Map<string, FlowHandling['deadLetter']>();
    for (const entry of await Promise.all([...waiting].map((service) => this.failures.ofService(service)))) {
      for (const letter of entry.letters) if (letter.eventId && records.has(letter.eventId)) deadLetters.set(`${letter.eventId}/${entry.service}`, { code: letter.code, reason: letter.reason, messageId: letter.messageId });
    }

    const events = [...records.values()]
      .map(({ record, producer }): FlowEvent => ({
        eventId: record.eventId,
        type: record.type,
        producer,
        subject: record.envelope.subject,
        correlationId: record.envelope.correlationid,
        causationId: record.envelope.causationid,
        createdAt: record.createdAt,
        publishedAt: record.publishedAt,
        attempts: record.attempts,
        consumers: this.directory
          .filter((service) => service.topology.consumes.some((contract) => contract.type === record.type))
          .map((service): FlowHandling => {
            const row = handled.get(`${record.eventId}/${service.name}`);
            return {
              service: service.name,
              handledAt: row?.handledAt,
              handling: row && { attempts: row.attempts, tries: row.tries, durationMs: row.durationMs },
              deadLetter: deadLetters.get(`${record.eventId}/${service.name}`),
            };
          }),
      }))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return { query, correlationIds, events, unreachable: [...unreachable] };
  }
}

/** Whether the handling that succeeded was not the first try: an earlier delivery or try failed. */
export function wasRetried(handling: FlowHandling['handling']): boolean {
  return !!handling && (handling.attempts > 1 || handling.tries > 1);
}

/** "12.3 ms", or "" when the service did not record it. */
export function handlerDuration(handling: FlowHandling['handling']): string {
  if (handling?.durationMs === null || handling?.durationMs === undefined) return '';
  return `${handling.durationMs < 10 ? handling.durationMs.toFixed(1) : Math.round(handling.durationMs)} ms`;
}

/** "retried: delivery 2, try 1", or "" for a first-time success. */
export function retryNote(handling: FlowHandling['handling']): string {
  return handling && wasRetried(handling) ? `retried: delivery ${handling.attempts}, try ${handling.tries}` : '';
}
