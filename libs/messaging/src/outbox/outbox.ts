import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { messageContextOrNew } from '../context/message-context';
import type { EventContract, EventPayload } from '../contracts/event-contract';
import { quotedTable } from '../database/quoted-table';
import { createCloudEvent, type CloudEvent } from '../envelope/cloud-event';
import { EventTooLargeError, InvalidEventError, OutsideTransactionError } from '../errors/messaging-errors';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { currentTraceContext, inSpan, SpanKind, traceparentOfSpan } from '../tracing/trace-context';
import { OutboxMessage } from './outbox-message.entity';

/** SNS refuses messages over 256 KiB; message attributes count towards it, so leave room for them. */
export const MAX_EVENT_BYTES = 256 * 1024 - 2 * 1024;

export interface PublishOptions {
  /** The aggregate the event is about (CloudEvents `subject`); the FIFO message group. */
  subject: string;
}

/**
 * The only way to publish: the event becomes a row in the caller's transaction, so it exists if and
 * only if the business change it describes was committed. The relay sends it afterwards.
 */
@Injectable()
export class Outbox {
  private readonly source: string;
  private readonly publishable: ReadonlySet<EventContract>;

  constructor(@Inject(MESSAGING_OPTIONS) { topology }: MessagingOptions) {
    this.source = `/${topology.service}`;
    this.publishable = new Set(topology.publishes);
  }

  /** MUST be called with the EntityManager of an open transaction (`dataSource.transaction(m => ...)`). */
  async publish<C extends EventContract>(manager: EntityManager, contract: C, data: EventPayload<C>, options: PublishOptions): Promise<CloudEvent<EventPayload<C>>> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new OutsideTransactionError(`${contract.type} must be published inside the transaction of the change it describes`);
    }
    if (!this.publishable.has(contract)) {
      throw new InvalidEventError(`${contract.type} is not in this service's "publishes" list, so no topic is provisioned for it`);
    }
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
        traceparent: traceparentOfSpan(span) ?? context.traceparent,
      });
      span.setAttribute('messaging.message.id', envelope.id);
      await this.write(manager, contract, envelope, options);
      return envelope;
    });
  }

  private async write<C extends EventContract>(manager: EntityManager, contract: C, envelope: CloudEvent<EventPayload<C>>, options: PublishOptions): Promise<void> {
    const body = JSON.stringify(envelope);
    const bytes = Buffer.byteLength(body);
    if (bytes > MAX_EVENT_BYTES) {
      throw new EventTooLargeError(`${contract.type} is ${bytes} bytes, over the ${MAX_EVENT_BYTES}-byte limit: carry ids, not documents`);
    }
    // One raw statement on the request path: the text built for the size check is the jsonb as is,
    // and nothing generated is needed back, so no entity mapping, re-serialising or RETURNING.
    await manager.query(
      `INSERT INTO ${quotedTable(manager, OutboxMessage)} (event_id, type, topic, group_key, envelope) VALUES ($1, $2, $3, $4, $5::jsonb)`,
      [envelope.id, contract.type, contract.topic, contract.fifo ? options.subject : null, body],
    );
  }
}
