import type { Message } from '@aws-sdk/client-sqs';
import { Inject, Injectable } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { escapeLiteral, type PoolClient, type QueryResult } from 'pg';
import { lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import { runInMessageContext } from '../context/message-context';
import { quotedTable } from '../database/quoted-table';
import type { CloudEvent } from '../envelope/cloud-event';
import { InboxMessage } from '../inbox/inbox-message.entity';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { Outbox } from '../outbox/outbox';
import { contextFromTraceparent, inSpan, SpanKind, traceparentOfSpan } from '../tracing/trace-context';
import { EventContext } from './event-context';
import { EventHandlersServer } from './event-handlers.server';
import { HandlerTimeoutError } from './handler-timeout.error';

/** A message whose envelope and payload passed every check, with the handler for its type. */
export interface PreparedEvent {
  message: Message;
  envelope: CloudEvent;
  data: unknown;
  handler: MessageHandler;
}

export interface TimedOutcome {
  outcome: 'handled' | 'duplicate';
  /** How long the handler ran; 0 for a duplicate, whose handler does not run. */
  seconds: number;
}

/**
 * The inbox row, the handler and everything it writes or publishes, in one transaction: committed
 * together or not at all. A handler running past HANDLER_TIMEOUT_MS fails its transaction, which
 * rolls back; whatever it still does afterwards meets a released connection and writes nothing.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly handlers: EventHandlersServer,
    private readonly outbox: Outbox,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  /**
   * One event in a transaction of its own: BEGIN, the inbox row, the handler's statements, COMMIT.
   * BEGIN and the inbox INSERT travel in one round trip (a simple query of two statements, the
   * values as escaped literals), so a handler writing one row costs three round trips, not four.
   * TypeORM still starts, commits and rolls back the transaction (its subscribers hear of each):
   * only its START TRANSACTION statement is widened.
   */
  async runAlone(event: PreparedEvent): Promise<TimedOutcome> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      let fresh = false;
      const query = runner.query.bind(runner);
      runner.query = (async (sql: string, ...rest: unknown[]) => {
        if (sql !== 'START TRANSACTION') return (query as (...args: unknown[]) => Promise<unknown>)(sql, ...rest);
        const results = (await client.query(`START TRANSACTION; ${this.inboxInsertOf(runner.manager, event.envelope)}`)) as unknown as QueryResult[];
        fresh = (results[1]?.rowCount ?? 0) > 0;
        return undefined;
      }) as typeof runner.query;
      try {
        await runner.startTransaction();
      } finally {
        runner.query = query;
      }
      try {
        const timed = fresh ? await this.runHandler(event, runner.manager) : { outcome: 'duplicate' as const, seconds: 0 };
        await runner.commitTransaction();
        return timed;
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private inboxInsertOf(manager: EntityManager, envelope: CloudEvent): string {
    const values = [envelope.id, this.options.topology.service, envelope.type].map(escapeLiteral).join(', ');
    return `INSERT INTO ${quotedTable(manager, InboxMessage)} (event_id, consumer, type) VALUES (${values}) ON CONFLICT DO NOTHING RETURNING event_id`;
  }

  /**
   * Several events in one transaction, one after the other in the given order: one inbox INSERT and
   * one COMMIT for all. Any failure rolls back all of them; the caller then runs each alone.
   */
  runTogether(events: PreparedEvent[]): Promise<TimedOutcome[]> {
    return this.dataSource.transaction(async (manager) => {
      const fresh = await this.recordInInbox(manager, events.map((event) => event.envelope));
      const timed: TimedOutcome[] = [];
      for (const event of events) {
        // A redelivery can put the same event twice into one receive: the first one runs.
        const first = fresh.delete(event.envelope.id);
        timed.push(first ? await this.runHandler(event, manager) : { outcome: 'duplicate', seconds: 0 });
      }
      return timed;
    });
  }

  /** Inserts the inbox rows; returns the ids that were new, i.e. not handled before. */
  private async recordInInbox(manager: EntityManager, envelopes: CloudEvent[]): Promise<Set<string>> {
    // A concurrent duplicate blocks on the primary key until the first commits, then skips.
    const inserted: { event_id: string }[] = await manager.query(
      `INSERT INTO ${quotedTable(manager, InboxMessage)} (event_id, consumer, type)
       SELECT event_id, $1, type FROM unnest($2::text[], $3::text[]) AS e(event_id, type)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [this.options.topology.service, envelopes.map((envelope) => envelope.id), envelopes.map((envelope) => envelope.type)],
    );
    return new Set(inserted.map((row) => row.event_id));
  }

  private async runHandler(event: PreparedEvent, manager: EntityManager): Promise<TimedOutcome> {
    const { envelope, data, handler, message } = event;
    const startedAt = performance.now();
    const limitMs = this.options.config.consumer.handlerTimeoutMs;
    await inSpan(
      `process ${envelope.type}`,
      SpanKind.CONSUMER,
      contextFromTraceparent(envelope.traceparent),
      { 'messaging.system': 'aws_sqs', 'messaging.message.id': envelope.id, 'messaging.consumer.group.name': this.options.topology.service },
      (span) =>
        runInMessageContext({ correlationId: envelope.correlationid, causationId: envelope.id, traceparent: traceparentOfSpan(span) ?? envelope.traceparent }, () =>
          withinTimeLimit(limitMs, async () => {
            const context = new EventContext({ ...envelope, data }, manager, receiveCountOf(message), this.outbox);
            await lastValueFrom(this.handlers.transformToObservable(await handler(data, context)), { defaultValue: undefined });
          }),
        ),
    );
    return { outcome: 'handled', seconds: (performance.now() - startedAt) / 1000 };
  }
}

export function receiveCountOf(message: Message): number {
  return Number(message.Attributes?.ApproximateReceiveCount ?? '1');
}

async function withinTimeLimit(limitMs: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new HandlerTimeoutError(limitMs)), limitMs)));
  try {
    await Promise.race([work(), overrun]);
  } finally {
    clearTimeout(timer);
  }
}
