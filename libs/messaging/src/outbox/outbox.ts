import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { z } from 'zod';
import { messageContextOrNew } from '../context/message-context';
import type { EventContract, EventPayload } from '../contracts/event-contract';
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
    const bytes = Buffer.byteLength(JSON.stringify(envelope));
    if (bytes > MAX_EVENT_BYTES) {
      throw new EventTooLargeError(`${contract.type} is ${bytes} bytes, over the ${MAX_EVENT_BYTES}-byte limit: carry ids, not documents`);
    }
    const row: Partial<OutboxMessage> = {
      eventId: envelope.id,
      type: contract.type,
      topic: contract.topic,
      groupKey: contract.fifo ? options.subject : null,
      envelope,
    };
    // TypeORM's deep-partial type cannot follow the envelope's `unknown` payload into jsonb.
    await manager.insert(OutboxMessage, row as QueryDeepPartialEntity<OutboxMessage>);
  }
}
