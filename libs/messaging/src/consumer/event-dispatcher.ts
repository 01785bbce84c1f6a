import { ChangeMessageVisibilityCommand, SendMessageCommand, type Message, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SqsConsumerEventHandler, SqsMessageHandler, SqsService } from '@ssut/nestjs-sqs';
import { lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import type { MessageHandler } from '@nestjs/microservices';
import { z } from 'zod';
import { runInMessageContext } from '../context/message-context';
import type { EventContract } from '../contracts/event-contract';
import { parseCloudEvent, type CloudEvent } from '../envelope/cloud-event';
import { PoisonMessageError, resolveFailure, type FailureDisposition } from '../errors/messaging-errors';
import { quotedTable } from '../database/quoted-table';
import { InboxMessage } from '../inbox/inbox-message.entity';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { MessagingObserver } from '../observer/messaging-observer';
import { Outbox } from '../outbox/outbox';
import { EventContext } from './event-context';
import { EventHandlersServer } from './event-handlers.server';
import { contextFromTraceparent, inSpan, SpanKind, traceparentOfSpan } from '../tracing/trace-context';
import { isDatabaseUnreachable } from './database-outage';
import { retryDelaySeconds } from './retry-backoff';

/** Name of the service's one SQS consumer in @ssut/nestjs-sqs. */
export const INBOX_CONSUMER = 'messaging.inbox';
export const SQS_CLIENT = Symbol('SQS_CLIENT');
export const QUEUE_ADDRESSES = Symbol('QUEUE_ADDRESSES');

export interface QueueAddresses {
  queueUrl: string;
  deadLetterQueueUrl: string;
}

/** Message attributes the consumer sets on what it dead-letters. */
export const DEAD_LETTER_ATTRIBUTES = {
  code: 'dead_letter_code',
  reason: 'dead_letter_reason',
  sourceQueue: 'dead_letter_source_queue',
  at: 'dead_letter_at',
} as const;

type Outcome = 'handled' | 'duplicate';

interface TimedOutcome {
  outcome: Outcome;
  /** How long the handler ran; 0 for a duplicate, whose handler does not run. */
  seconds: number;
}

/** A message whose envelope and payload passed every check, with the handler for its type. */
interface PreparedEvent {
  message: Message;
  envelope: CloudEvent;
  data: unknown;
  handler: MessageHandler;
}

/**
 * sqs-consumer deletes the message when the handler returns nothing or the message itself; any
 * other object leaves it on the queue, to come back when its (adjusted) visibility runs out.
 */
const LEAVE_ON_QUEUE: Message = Object.freeze({});

/**
 * Turns each SQS message into one handler call, effectively once:
 * parse the envelope → find the contract → validate the payload → in one transaction insert the
 * inbox row and run the handler → acknowledge. A redelivered event finds its inbox row and is
 * acknowledged without running the handler. Retryable failures back off by extending the message's
 * invisibility; poison goes to the DLQ at once with its reason; neither blocks the messages behind it.
 *
 * A receive is acknowledged with one DeleteMessageBatch. By default each event has its own
 * transaction and the events of a receive run concurrently (CONSUMER_TRANSACTION=message); with
 * `batch` they share one transaction, run one after the other, which halves Postgres's work per
 * event for handlers that only write to the database.
 */
@Injectable()
export class EventDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventDispatcher.name);
  private readonly contracts: ReadonlyMap<string, EventContract>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly groupTails = new Map<string, Promise<Message>>();
  private stopping = false;
  private databaseProbe?: Promise<void>;
  private markConsumerStopped!: () => void;
  /** The SQS consumer has stopped polling and finished its last batch, deletes included. */
  private consumerStopped = this.whenConsumerStops();
  /** When the consumer last completed a receive, with or without messages: its liveness. */
  lastPollAt = Date.now();

  constructor(
    private readonly handlers: EventHandlersServer,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly metrics: MessagingMetrics,
    private readonly observer: MessagingObserver,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(SQS_CLIENT) private readonly sqs: SQSClient,
    @Inject(QUEUE_ADDRESSES) private readonly queues: QueueAddresses,
    private readonly sqsService: SqsService,
  ) {
    this.contracts = new Map(options.topology.consumes.map((contract) => [contract.type, contract]));
  }

  /**
   * sqs-consumer hands over a whole receive and deletes what this returns with one
   * DeleteMessageBatch; messages left out stay on the queue (retry backoff or hand-back).
   */
  @SqsMessageHandler(INBOX_CONSUMER, true)
  async handleMessages(messages: Message[]): Promise<Message[]> {
    if (this.stopping) {
      // Shutting down: hand the messages straight back so another replica takes them now.
      await Promise.all(messages.map((message) => this.changeVisibility(message, 0)));
      return [];
    }
    const work = this.processReceive(messages);
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  private async processReceive(messages: Message[]): Promise<Message[]> {
    await this.handlers.ready;
    const prepared: PreparedEvent[] = [];
    const settled: Promise<Message>[] = [];
    for (const message of messages) {
      const preparation = this.prepare(message);
      if ('failure' in preparation) settled.push(this.onFailure(message, preparation.envelope, resolveFailure(preparation.failure), preparation.failure));
      else prepared.push(preparation);
    }
    const sharesTransaction = this.options.config.consumer.transaction === 'batch' && prepared.length > 1;
    const handled = (sharesTransaction ? await this.handleInOneTransaction(prepared) : undefined) ?? prepared.map((event) => this.inGroupOrder(event));
    const outcomes = await Promise.all([...settled, ...handled]);
    return outcomes.filter((outcome) => outcome !== LEAVE_ON_QUEUE);
  }

  /**
   * One batch from a FIFO queue can hold several messages of one group; they run one after the
   * other, and once one is left for a retry the rest of its group in the batch is handed back
   * too, so nothing overtakes it. Different groups, and standard queues, run in parallel.
   */
  private inGroupOrder(event: PreparedEvent): Promise<Message> {
    const group = event.message.Attributes?.MessageGroupId;
    if (!group) return this.handleAlone(event);
    const previous = this.groupTails.get(group);
    const work = (previous ?? Promise.resolve(undefined)).then(async (previousOutcome) => {
      if (previousOutcome !== LEAVE_ON_QUEUE) return this.handleAlone(event);
      await this.changeVisibility(event.message, 0);
      return LEAVE_ON_QUEUE;
    });
    this.groupTails.set(group, work);
    const forget = () => {
      if (this.groupTails.get(group) === work) this.groupTails.delete(group);
    };
    work.then(forget, forget);
    return work;
  }

  @SqsConsumerEventHandler(INBOX_CONSUMER, 'error')
  onConsumerError(error: Error): void {
    // Receive errors (the broker is unreachable) are retried by the consumer's own polling.
    this.logger.warn({ err: error }, 'SQS consumer error');
  }

  @SqsConsumerEventHandler(INBOX_CONSUMER, 'empty')
  onEmptyReceive(): void {
    this.lastPollAt = Date.now();
  }

  @SqsConsumerEventHandler(INBOX_CONSUMER, 'response_processed')
  onResponseProcessed(): void {
    this.lastPollAt = Date.now();
  }

  @SqsConsumerEventHandler(INBOX_CONSUMER, 'stopped')
  onConsumerStopped(): void {
    this.markConsumerStopped();
  }

  @SqsConsumerEventHandler(INBOX_CONSUMER, 'processing_error')
  onProcessingError(error: Error): void {
    this.logger.error({ err: error }, 'SQS message processing error');
  }

  /**
   * Nest has already asked the consumer to stop polling (module destroy). Wait for the handlers in
   * flight and for the consumer's last batch to be acknowledged, before the database closes.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(resolve, this.options.config.shutdownDrainMs, 'timeout').unref());
    const drained = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => this.consumerStopped).then(() => 'drained' as const),
      deadline,
    ]);
    if (drained === 'timeout') {
      this.logger.warn({ inFlight: this.inFlight.size }, 'Shutdown deadline reached with handlers still running; their messages will be redelivered');
    }
  }

  /** Envelope, contract and payload checks: whatever fails here is poison, before any transaction. */
  private prepare(message: Message): PreparedEvent | { failure: unknown; envelope?: CloudEvent } {
    let envelope: CloudEvent | undefined;
    try {
      envelope = parseCloudEvent(message.Body);
      // Labels come from our contracts, never from message content: a stream of made-up types
      // must not grow /metrics without bound.
      this.metrics.received.inc({ type: this.contracts.has(envelope.type) ? envelope.type : 'unknown' });
      const data = this.validate(this.contractFor(envelope), envelope);
      const handler = this.handlers.handlerFor(envelope.type);
      if (!handler) throw new PoisonMessageError('UNKNOWN_EVENT_TYPE', `No handler for ${envelope.type}`);
      return { message, envelope, data, handler };
    } catch (failure) {
      return { failure, envelope };
    }
  }

  /** The event in a transaction of its own: the path for single messages, and after a batch failed. */
  private async handleAlone(event: PreparedEvent): Promise<Message> {
    try {
      const timed = await this.dataSource.transaction(async (manager) => {
        const fresh = await this.recordInInbox(manager, [event.envelope]);
        return fresh.has(event.envelope.id) ? this.runHandler(event, manager) : { outcome: 'duplicate' as const, seconds: 0 };
      });
      this.completed(event, timed);
      return event.message;
    } catch (error) {
      return this.onFailure(event.message, event.envelope, resolveFailure(error), error);
    }
  }

  /**
   * All events of a receive in one transaction, one after the other in receive order (which keeps
   * FIFO group order): one inbox INSERT and one COMMIT for up to ten events instead of ten of each.
   * If any handler fails, the whole transaction rolls back and each event is handled alone, so
   * one failure only retries, or dead-letters, its own message. Returns undefined in that case.
   */
  private async handleInOneTransaction(events: PreparedEvent[]): Promise<Message[] | undefined> {
    let results: TimedOutcome[];
    try {
      results = await this.dataSource.transaction(async (manager) => {
        const fresh = await this.recordInInbox(manager, events.map((event) => event.envelope));
        const timed: TimedOutcome[] = [];
        for (const event of events) {
          // A redelivery can put the same event twice into one receive: the first one runs.
          const first = fresh.delete(event.envelope.id);
          timed.push(first ? await this.runHandler(event, manager) : { outcome: 'duplicate', seconds: 0 });
        }
        return timed;
      });
    } catch (error) {
      this.logger.debug({ err: error, events: events.length }, 'A handler failed in a batch transaction; handling each event alone');
      return undefined;
    }
    events.forEach((event, index) => this.completed(event, results[index]));
    return events.map((event) => event.message);
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
    await inSpan(
      `process ${envelope.type}`,
      SpanKind.CONSUMER,
      contextFromTraceparent(envelope.traceparent),
      { 'messaging.system': 'aws_sqs', 'messaging.message.id': envelope.id, 'messaging.consumer.group.name': this.options.topology.service },
      (span) =>
        runInMessageContext({ correlationId: envelope.correlationid, causationId: envelope.id, traceparent: traceparentOfSpan(span) ?? envelope.traceparent }, async () => {
          const context = new EventContext({ ...envelope, data }, manager, receiveCountOf(message), this.outbox);
          await lastValueFrom(this.handlers.transformToObservable(await handler(data, context)), { defaultValue: undefined });
        }),
    );
    return { outcome: 'handled', seconds: (performance.now() - startedAt) / 1000 };
  }

  /** After the commit: metrics, observers and the log line. */
  private completed({ envelope }: PreparedEvent, { outcome, seconds }: TimedOutcome): void {
    if (outcome === 'handled') this.metrics.handlerDuration.observe({ type: envelope.type }, seconds);
    (outcome === 'duplicate' ? this.metrics.duplicates : this.metrics.handled).inc({ type: envelope.type });
    this.observer.emit('handled', { eventId: envelope.id, type: envelope.type, correlationId: envelope.correlationid, outcome });
    runInMessageContext({ correlationId: envelope.correlationid, causationId: envelope.id, traceparent: envelope.traceparent }, () =>
      this.logger.log({ eventId: envelope.id, type: envelope.type, durationMs: Math.round(seconds * 1000) }, outcome === 'duplicate' ? 'Skipped a duplicate event' : 'Handled event'),
    );
  }

  private contractFor(envelope: CloudEvent): EventContract {
    const contract = this.contracts.get(envelope.type);
    if (!contract) {
      throw new PoisonMessageError('UNKNOWN_EVENT_TYPE', `"${this.options.topology.service}" does not consume ${envelope.type}`);
    }
    return contract;
  }

  private validate(contract: EventContract, envelope: CloudEvent): unknown {
    const result = contract.schema.safeParse(envelope.data);
    if (!result.success) {
      throw new PoisonMessageError('SCHEMA_VIOLATION', `${envelope.type} ${envelope.id}: ${z.prettifyError(result.error)}`);
    }
    return result.data;
  }

  private async onFailure(message: Message, envelope: CloudEvent | undefined, disposition: FailureDisposition, error: unknown): Promise<Message> {
    const type = envelope ? (this.contracts.has(envelope.type) ? envelope.type : 'unknown') : 'unparsed';
    const log = { err: error, messageId: message.MessageId, eventId: envelope?.id, type, code: disposition.code };
    if (disposition.kind === 'dead-letter') {
      this.logger.error(log, `Dead-lettering message: ${disposition.reason}`);
      await this.deadLetter(message, disposition);
      this.metrics.deadLettered.inc({ type, code: disposition.code });
      this.observer.emit('deadLettered', { eventId: envelope?.id, type, code: disposition.code, reason: disposition.reason });
      return message;
    }
    const receiveCount = receiveCountOf(message);
    if (isDatabaseUnreachable(error)) {
      // The handler never got to run: this is not an attempt. Stop receiving until the database is
      // back, so a long outage does not burn the message's receives into the DLQ.
      this.logger.warn({ ...log, receiveCount }, 'Database unreachable; pausing the consumer until it is back');
      this.pauseUntilDatabaseIsBack();
      await this.changeVisibility(message, this.options.config.consumer.retry.baseSeconds);
      return LEAVE_ON_QUEUE;
    }
    if (receiveCount >= this.options.config.consumer.maxReceiveCount) {
      // The redrive policy would move it on the next receive, without a reason; move it now, with one.
      const exhausted = { kind: 'dead-letter', code: 'RETRIES_EXHAUSTED', reason: `${disposition.code} after ${receiveCount} attempts: ${disposition.reason}` } as const;
      this.logger.error({ ...log, receiveCount }, `Retries exhausted; dead-lettering: ${disposition.reason}`);
      await this.deadLetter(message, exhausted);
      this.metrics.deadLettered.inc({ type, code: exhausted.code });
      this.observer.emit('deadLettered', { eventId: envelope?.id, type, code: exhausted.code, reason: exhausted.reason });
      return message;
    }
    const delay = retryDelaySeconds(this.options.config.consumer.retry, receiveCount);
    this.logger.warn({ ...log, receiveCount, retryInSeconds: delay }, `Handler failed; retrying: ${disposition.reason}`);
    this.metrics.retried.inc({ type, code: disposition.code });
    await this.changeVisibility(message, delay);
    return LEAVE_ON_QUEUE;
  }

  /** Poison is moved by hand rather than left to the redrive policy, so it carries the reason. */
  private async deadLetter(message: Message, disposition: FailureDisposition): Promise<void> {
    const original = Object.entries(message.MessageAttributes ?? {}).slice(0, 6);
    const attribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queues.deadLetterQueueUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: {
          ...Object.fromEntries(original),
          [DEAD_LETTER_ATTRIBUTES.code]: attribute(disposition.code),
          [DEAD_LETTER_ATTRIBUTES.reason]: attribute(disposition.reason.slice(0, 1024)),
          [DEAD_LETTER_ATTRIBUTES.sourceQueue]: attribute(this.queues.queueUrl),
          [DEAD_LETTER_ATTRIBUTES.at]: attribute(new Date().toISOString()),
        },
        ...(this.queues.deadLetterQueueUrl.endsWith('.fifo')
          ? { MessageGroupId: message.Attributes?.MessageGroupId ?? 'dead-letters', MessageDeduplicationId: message.MessageId }
          : {}),
      }),
    );
  }

  private whenConsumerStops(): Promise<void> {
    return new Promise<void>((resolve) => (this.markConsumerStopped = resolve));
  }

  private pauseUntilDatabaseIsBack(): void {
    if (this.databaseProbe || this.stopping) return;
    const consumer = this.sqsService.consumers.get(INBOX_CONSUMER)?.instance;
    consumer?.stop();
    const probe = async (): Promise<void> => {
      while (!this.stopping) {
        try {
          await this.dataSource.query('SELECT 1');
          this.logger.log('Database reachable again; resuming the consumer');
          if (!this.stopping) {
            this.consumerStopped = this.whenConsumerStops();
            consumer?.start();
          }
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 1000).unref());
        }
      }
    };
    this.databaseProbe = probe().finally(() => (this.databaseProbe = undefined));
  }

  private async changeVisibility(message: Message, seconds: number): Promise<void> {
    await this.sqs
      .send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queues.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: seconds }))
      .catch((error: unknown) => this.logger.warn({ err: error, messageId: message.MessageId }, 'Could not change message visibility'));
  }
}

function receiveCountOf(message: Message): number {
  return Number(message.Attributes?.ApproximateReceiveCount ?? '1');
}
