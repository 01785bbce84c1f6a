import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import { z } from 'zod';
import { messageContextOrNew } from '../context/message-context';
import type { EventContract, EventPayload } from '../contracts/event-contract';
import { outboxChannel } from '../database/messaging-tables.migration';
import { quotedTable } from '../database/quoted-table';
import { cloudEventSchema, createCloudEvent, type CloudEvent } from '../envelope/cloud-event';
import { EventTooLargeError, InvalidEventError, OutsideTransactionError } from '../errors/messaging-errors';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { currentTraceContext, inSpan, SpanKind, traceparentOfSpan, validTraceparent } from '../tracing/trace-context';
import { MAX_EVENT_BYTES, messageBytes, messageGroupIdProblem } from './broker-limits';
import { markOutboxWritten } from './outbox-commit-signal';
import { OutboxMessage } from './outbox-message.entity';


/** When a scheduled event is due: at an instant, or a delay after the transaction's database time. */
export type DueTime = { deliverAt: Date; delay?: undefined } | { delay: number; deliverAt?: undefined };

export interface PublishOptions {
  /** The aggregate the event is about (CloudEvents `subject`); the FIFO message group. */
  subject: string;
  /**
   * Send the event at this instant rather than at once. Whether it has come is decided by the
   * database clock, which every replica shares; an instant in the past means at once.
   */
  deliverAt?: Date;
  /** Send the event this many milliseconds after `now()` of the database (the transaction's start). */
  delay?: number;
  /**
   * `own-queue` sends the event straight to this service's own SQS queue (SendMessage, no topic):
   * it reaches this service alone, through its consumer, inbox and retries. It is how a service
   * sends itself a message, such as a process manager's timeout; the contract must be one the
   * service consumes. Default `topic`: the contract's SNS topic, to every subscriber.
   */
  destination?: 'topic' | 'own-queue';
}

/**
 * The only way to publish: the event becomes a row in the caller's transaction, so it exists if and
 * only if the business change it describes was committed. The relay sends it afterwards: at once,
 * or when it is due.
 */
@Injectable()
export class Outbox {
  private readonly source: string;
  private readonly publishable: ReadonlySet<EventContract>;
  private readonly consumable: ReadonlySet<EventContract>;

  constructor(@Inject(MESSAGING_OPTIONS) { topology }: MessagingOptions) {
    this.source = `/${topology.service}`;
    this.publishable = new Set(topology.publishes);
    this.consumable = new Set(topology.consumes);
  }

  /** MUST be called with the EntityManager of an open transaction (`dataSource.transaction(m => ...)`). */
  async publish<C extends EventContract>(manager: EntityManager, contract: C, data: EventPayload<C>, options: PublishOptions): Promise<CloudEvent<EventPayload<C>>> {
    assertInTransaction(manager, `${contract.type} must be published inside the transaction of the change it describes`);
    const destination = options.destination ?? 'topic';
    if (destination === 'topic' && !this.publishable.has(contract)) {
      throw new InvalidEventError(`${contract.type} is not in this service's "publishes" list, so no topic is provisioned for it`);
    }
    if (destination === 'own-queue' && !this.consumable.has(contract)) {
      throw new InvalidEventError(`${contract.type} is not in this service's "consumes" list, so its own queue would dead-letter it`);
    }
    if (contract.fifo) {
      // The subject becomes the message group id: checked here with the rule the transports apply.
      const problem = messageGroupIdProblem(options.subject);
      if (problem) throw new InvalidEventError(`${contract.type} is FIFO and ${problem}`);
    }
    const due = dueTimeOf(options);
    const parsed = contract.schema.safeParse(data);
    if (!parsed.success) {
      throw new InvalidEventError(`${contract.type} payload is invalid: ${z.prettifyError(parsed.error)}`);
    }
    const context = messageContextOrNew();
    return inSpan(`publish ${contract.type}`, SpanKind.PRODUCER, currentTraceContext(), { 'messaging.destination.name': contract.topic }, async (span) => {
      const envelope = createCloudEvent({
        source: this.source,
        type: contract.type,
        subject: options.subject,
        data: parsed.data as EventPayload<C>,
        correlationId: context.correlationId,
        causationId: context.causationId,
        // What is not a W3C traceparent is dropped (the event starts a trace of its own), never carried.
        traceparent: validTraceparent(traceparentOfSpan(span) ?? context.traceparent),
      });
      // The very schema the consumer reads envelopes with: nothing its consumers would dead-letter
      // as NOT_CLOUDEVENT is ever written.
      const checked = cloudEventSchema.safeParse(envelope);
      if (!checked.success) {
        throw new InvalidEventError(`${contract.type} would not be a valid CloudEvent: ${z.prettifyError(checked.error)}`);
      }
      span.setAttribute('messaging.message.id', envelope.id);
      await this.write(manager, contract, envelope, { subject: options.subject, destination, due });
      markOutboxWritten(manager.queryRunner);
      return envelope;
    });
  }

  /**
   * Withdraws an event that has not been sent yet (typically a scheduled one), in the caller's
   * transaction: if that transaction commits, the event is never sent. Returns false when it was
   * already sent, is being sent right now, or does not exist. MUST be called inside a transaction.
   */
  async cancelScheduled(manager: EntityManager, eventId: string): Promise<boolean> {
    assertInTransaction(manager, 'A scheduled event must be cancelled inside a transaction');
    const affected = await affectedRows(
      manager,
      `DELETE FROM ${quotedTable(manager, OutboxMessage)}
       WHERE event_id = $1 AND published_at IS NULL AND (leased_until IS NULL OR leased_until <= now())`,
      [eventId],
    );
    return affected > 0;
  }

  /**
   * Moves the due time of an event that has not been sent yet, in the caller's transaction.
   * Returns false when it was already sent, is being sent right now, is parked, or does not exist.
   * MUST be called inside a transaction.
   */
  async reschedule(manager: EntityManager, eventId: string, due: DueTime): Promise<boolean> {
    assertInTransaction(manager, 'A scheduled event must be rescheduled inside a transaction');
    const { sql, params } = dueExpression(dueTimeOf(due), 2);
    const table = quotedTable(manager, OutboxMessage);
    const affected = await affectedRows(
      manager,
      `UPDATE ${table} SET deliver_at = ${sql}, available_at = ${sql}
       WHERE event_id = $1 AND published_at IS NULL AND parked_at IS NULL AND (leased_until IS NULL OR leased_until <= now())`,
      [eventId, ...params],
    );
    // An earlier due time must reach every relay's timer: the notification is delivered on commit.
    if (affected > 0) await manager.query(`SELECT pg_notify($1, '')`, [outboxChannel(schemaOf(manager))]);
    return affected > 0;
  }

  private async write<C extends EventContract>(
    manager: EntityManager,
    contract: C,
    envelope: CloudEvent<EventPayload<C>>,
    options: { subject: string; destination: 'topic' | 'own-queue'; due?: Due },
  ): Promise<void> {
    // The column is `json`: these exact bytes are stored, and sent by the relay as they are, so
    // this is the size the broker will count.
    const body = JSON.stringify(envelope);
    const bytes = messageBytes({ body, type: contract.type });
    if (bytes > MAX_EVENT_BYTES) {
      throw new EventTooLargeError(`${contract.type} is ${bytes} bytes, over the ${MAX_EVENT_BYTES}-byte limit (body and attributes): carry ids, not documents`);
    }
    const table = quotedTable(manager, OutboxMessage);
    const values = [envelope.id, contract.type, contract.topic, contract.fifo ? options.subject : null, body];
    // One raw statement on the request path: no entity mapping, re-serialising or RETURNING. The
    // common case (at once, to the topic) leaves the new columns to their defaults.
    if (!options.due && options.destination === 'topic') {
      await manager.query(`INSERT INTO ${table} (event_id, type, topic, group_key, envelope) VALUES ($1, $2, $3, $4, $5::json)`, values);
      return;
    }
    const due = options.due ? dueExpression(options.due, values.length + 2) : { sql: 'NULL', params: [] };
    await manager.query(
      `INSERT INTO ${table} (event_id, type, topic, group_key, envelope, destination, deliver_at, available_at)
       VALUES ($1, $2, $3, $4, $5::json, $6, ${due.sql}, ${due.sql})`,
      [...values, options.destination, ...due.params],
    );
  }
}

type Due = { at: Date } | { delayMs: number };

function dueTimeOf(options: { deliverAt?: Date; delay?: number }): Due | undefined {
  if (options.deliverAt !== undefined && options.delay !== undefined) {
    throw new InvalidEventError('Give either deliverAt or delay, not both');
  }
  if (options.deliverAt !== undefined) {
    if (!(options.deliverAt instanceof Date) || Number.isNaN(options.deliverAt.getTime())) throw new InvalidEventError('deliverAt must be a valid Date');
    return { at: options.deliverAt };
  }
  if (options.delay !== undefined) {
    if (!Number.isFinite(options.delay) || options.delay < 0) throw new InvalidEventError(`delay must be a non-negative number of milliseconds, got ${options.delay}`);
    return { delayMs: Math.round(options.delay) };
  }
  return undefined;
}

/** The due time as SQL: an instant as given, or a delay added to the database's `now()`. */
function dueExpression(due: Due | undefined, parameter: number): { sql: string; params: unknown[] } {
  if (!due) throw new InvalidEventError('Give the new due time: deliverAt or delay');
  return 'at' in due
    ? { sql: `$${parameter}::timestamptz`, params: [due.at.toISOString()] }
    : { sql: `now() + $${parameter}::bigint * interval '1 millisecond'`, params: [due.delayMs] };
}

function assertInTransaction(manager: EntityManager, message: string): void {
  if (!manager.queryRunner?.isTransactionActive) throw new OutsideTransactionError(message);
}

/** How many rows a statement changed, on the transaction's own connection. */
async function affectedRows(manager: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const result = await (manager.queryRunner as QueryRunner).query(sql, params, true);
  return result.affected ?? 0;
}

function schemaOf(manager: EntityManager): string {
  return (manager.connection.options as { schema: string }).schema;
}
