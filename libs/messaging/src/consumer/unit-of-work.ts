import type { Message } from '@aws-sdk/client-sqs';
import { Inject, Injectable } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { escapeLiteral, type PoolClient, type QueryResult } from 'pg';
import { lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { runInMessageContext } from '../context/message-context';
import { quotedTable } from '../database/quoted-table';
import type { CloudEvent } from '../envelope/cloud-event';
import { HandlerDurationLog } from '../inbox/handler-duration-log';
import { InboxMessage } from '../inbox/inbox-message.entity';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { Outbox } from '../outbox/outbox';
import { contextFromTraceparent, inSpan, SpanKind, traceparentOfSpan } from '../tracing/trace-context';
import { TransactionAbortedError } from '../errors/messaging-errors';
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
    private readonly durations: HandlerDurationLog,
  ) {}

  /**
   * One event in a transaction of its own: BEGIN, the inbox row, the handler's statements, COMMIT.
   * BEGIN and the inbox INSERT travel in one round trip (a simple query of two statements, the
   * values as escaped literals), so a handler writing one row costs three round trips, not four.
   * TypeORM still starts, commits and rolls back the transaction (its subscribers hear of each):
   * only its START TRANSACTION is widened. The handler's duration is written after the commit.
   * `tries`: the tries of this delivery so far, this one included, recorded with the inbox row.
   */
  async runAlone(event: PreparedEvent, tries = 1): Promise<TimedOutcome> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      const begun = await sentTogether(runner, client, 'START TRANSACTION', `START TRANSACTION; ${this.inboxInsertOf(runner.manager, event, tries)}`, () => runner.startTransaction());
      const fresh = (begun?.[1]?.rowCount ?? 0) > 0;
      try {
        if (!fresh) {
          await runner.commitTransaction();
          return { outcome: 'duplicate', seconds: 0 };
        }
        const timed = await this.runHandler(event, runner.manager);
        assertNotAborted(client);
        await runner.commitTransaction();
        this.durations.record(new Map([[event.envelope.id, timed.seconds]]));
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

  private inboxInsertOf(manager: EntityManager, { envelope, message }: PreparedEvent, tries: number): string {
    const values = [envelope.id, this.options.topology.service, envelope.type].map(escapeLiteral);
    values.push(sqlCount(receiveCountOf(message)), sqlCount(tries));
    return `INSERT INTO ${quotedTable(manager, InboxMessage)} (event_id, consumer, type, attempts, tries) VALUES (${values.join(', ')}) ON CONFLICT DO NOTHING RETURNING event_id`;
  }

  /**
   * Several events in one transaction, one after the other in the given order: one inbox INSERT and
   * one COMMIT for all; the handlers' durations are written after it. Any failure rolls back all of them; the
   * caller then runs each alone.
   */
  async runTogether(events: PreparedEvent[]): Promise<TimedOutcome[]> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      await runner.startTransaction();
      try {
        const fresh = await this.recordInInbox(runner.manager, events);
        const timed: TimedOutcome[] = [];
        const durations = new Map<string, number>();
        for (const event of events) {
          // A redelivery can put the same event twice into one receive: the first one runs.
          const first = fresh.delete(event.envelope.id);
          const outcome: TimedOutcome = first ? await this.runHandler(event, runner.manager) : { outcome: 'duplicate', seconds: 0 };
          if (first) durations.set(event.envelope.id, outcome.seconds);
          timed.push(outcome);
        }
        assertNotAborted(client);
        await runner.commitTransaction();
        this.durations.record(durations);
        return timed;
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }

  /** Inserts the inbox rows; returns the ids that were new, i.e. not handled before. */
  private async recordInInbox(manager: EntityManager, events: PreparedEvent[]): Promise<Set<string>> {
    // A concurrent duplicate blocks on the primary key until the first commits, then skips.
    // Events handled together are each on their first try of their delivery: `tries` keeps its default.
    const inserted: { event_id: string }[] = await manager.query(
      `INSERT INTO ${quotedTable(manager, InboxMessage)} (event_id, consumer, type, attempts)
       SELECT event_id, $1, type, attempts FROM unnest($2::text[], $3::text[], $4::int[]) AS e(event_id, type, attempts)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [
        this.options.topology.service,
        events.map((event) => event.envelope.id),
        events.map((event) => event.envelope.type),
        events.map((event) => Number(sqlCount(receiveCountOf(event.message)))),
      ],
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

/**
 * Runs `step` (TypeORM's startTransaction or commitTransaction) with its one `statement` sent as
 * `sql`, a simple query of several statements: one round trip. Returns that query's results.
 */
async function sentTogether(runner: QueryRunner, client: PoolClient, statement: string, sql: string, step: () => Promise<void>): Promise<QueryResult[] | undefined> {
  let results: QueryResult[] | undefined;
  const query = runner.query.bind(runner);
  runner.query = (async (text: string, ...rest: unknown[]) => {
    if (text !== statement) return (query as (...args: unknown[]) => Promise<unknown>)(text, ...rest);
    results = (await client.query(sql)) as unknown as QueryResult[];
    return undefined;
  }) as typeof runner.query;
  try {
    await step();
  } finally {
    runner.query = query;
  }
  return results;
}

/**
 * Postgres answers COMMIT in a transaction that a statement error aborted with a rollback, and no
 * error: a handler that caught such an error and returned would have its event acknowledged with
 * nothing of it committed, the inbox row included. Such an event is tried again instead.
 */
function assertNotAborted(client: PoolClient): void {
  if (client.getTransactionStatus() === 'E') throw new TransactionAbortedError();
}

/** A count as an SQL literal: a positive integer, whatever the attribute said. */
function sqlCount(value: number): string {
  return String(Number.isSafeInteger(value) && value > 0 ? value : 1);
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
