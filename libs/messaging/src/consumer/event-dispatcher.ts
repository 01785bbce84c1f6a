import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { SqsConsumerEventHandler, SqsMessageHandler } from '@ssut/nestjs-sqs';
import { z } from 'zod';
import { runInMessageContext } from '../context/message-context';
import type { EventContract } from '../contracts/event-contract';
import { parseCloudEvent, type CloudEvent } from '../envelope/cloud-event';
import { PoisonMessageError, resolveFailure, type FailureDisposition } from '../errors/messaging-errors';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { MessagingObserver } from '../observer/messaging-observer';
import { DatabaseOutage } from './database-outage';
import { DeadLetterQueue } from './dead-letter-queue';
import { EventHandlersServer } from './event-handlers.server';
import { FifoSequencer, type Settlement } from './fifo-sequencer';
import { Acknowledger } from './acknowledger';
import { HandlerDurationLog } from '../inbox/handler-duration-log';
import { InboxConsumer } from './inbox-consumer';
import { INBOX_CONSUMER, QUEUE_LOCATOR, SQS_CLIENT } from './queue-addresses';
import type { QueueLocator } from './queue-locator';
import { ReceiveGate } from './receive-gate';
import { decideRetry } from './recoverability-policy';
import { receiveCountOf, UnitOfWork, type PreparedEvent, type TimedOutcome } from './unit-of-work';
import { VisibilityHeartbeat } from './visibility-heartbeat';

export { INBOX_CONSUMER, QUEUE_LOCATOR, SQS_CLIENT, type QueueAddresses } from './queue-addresses';
export { DEAD_LETTER_ATTRIBUTES } from './dead-letter-record';

/**
 * Turns each SQS message into one handler call, effectively once:
 * parse the envelope → find the contract → validate the payload → in one transaction insert the
 * inbox row and run the handler (UnitOfWork) → acknowledge. A redelivered event finds its inbox row
 * and is acknowledged without running the handler.
 *
 * Every failure is settled here, in `settleFailure`: an outage of the service's own database waits
 * (DatabaseOutage); poison goes to the DLQ at once with its reason; anything else follows the
 * recoverability policy (immediate retries, then delayed ones, then the DLQ). None blocks the
 * messages behind it, except later messages of the same FIFO group (FifoSequencer).
 *
 * Receiving overlaps handling: the next receive is in flight while up to CONSUMER_CONCURRENCY
 * messages are in hand, each deleted as it settles (Acknowledger, up to ten per call) and kept
 * invisible until then (VisibilityHeartbeat). By default each event has its own transaction and
 * the events run concurrently (CONSUMER_TRANSACTION=message); with `batch` the events of a receive
 * share one transaction, run one after the other, which halves Postgres's work per event for
 * handlers that only write to the database.
 */
@Injectable()
export class EventDispatcher implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventDispatcher.name);
  private readonly contracts: ReadonlyMap<string, EventContract>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly sequencer = new FifoSequencer();
  private stopping = false;
  private markStopping!: () => void;
  private readonly whenStopping = new Promise<void>((resolve) => (this.markStopping = resolve));
  /** Messages received and not settled yet, across receives. */
  private inHand = 0;
  private admissionWaiters: (() => void)[] = [];
  private readonly heartbeat: VisibilityHeartbeat;
  private readonly acknowledger: Acknowledger;

  constructor(
    private readonly handlers: EventHandlersServer,
    private readonly unitOfWork: UnitOfWork,
    private readonly outage: DatabaseOutage,
    private readonly gate: ReceiveGate,
    private readonly deadLetters: DeadLetterQueue,
    private readonly metrics: MessagingMetrics,
    private readonly observer: MessagingObserver,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(SQS_CLIENT) private readonly sqs: SQSClient,
    @Inject(QUEUE_LOCATOR) private readonly locator: QueueLocator,
    private readonly consumer: InboxConsumer,
    private readonly durations: HandlerDurationLog,
  ) {
    this.contracts = new Map(options.topology.consumes.map((contract) => [contract.type, contract]));
    const queueUrl = () => this.locator.addresses.queueUrl;
    this.heartbeat = new VisibilityHeartbeat(sqs, queueUrl, options.config.consumer.visibilityTimeoutSeconds);
    this.acknowledger = new Acknowledger(sqs, queueUrl);
  }

  /** When the consumer last did something (a receive returned, or it re-checked why it waits): its liveness. */
  get lastActivityAt(): number {
    return this.gate.lastActivityAt;
  }

  /**
   * sqs-consumer hands over a whole receive. The dispatcher takes it in hand (its visibility kept
   * extended, each message deleted as it settles) and returns as soon as there is room for another
   * receive, so the next one is already in flight while these handlers run: at most
   * CONSUMER_CONCURRENCY messages are in hand at once. It returns no message for sqs-consumer to
   * delete: acknowledging is the dispatcher's.
   */
  @SqsMessageHandler(INBOX_CONSUMER, true)
  async handleMessages(messages: Message[]): Promise<Message[]> {
    if (this.stopping) {
      // Shutting down: hand the messages straight back so another replica takes them now.
      await Promise.all(messages.map((message) => this.changeVisibility(message, 0)));
      return [];
    }
    this.heartbeat.hold(messages);
    this.inHand += messages.length;
    const work = this.processReceive(messages)
      .catch((error: unknown) => this.logger.error({ err: error }, 'A receive failed to settle; its messages come back when their visibility lapses'))
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
    await this.roomForAnotherReceive();
    return [];
  }

  /** Resolves once another full receive fits within CONSUMER_CONCURRENCY (or shutdown begins). */
  private roomForAnotherReceive(): Promise<void> {
    const { concurrency, batchSize } = this.options.config.consumer;
    if (this.stopping || this.inHand + batchSize <= concurrency) return Promise.resolve();
    return new Promise<void>((resolve) => this.admissionWaiters.push(resolve)).then(() => this.roomForAnotherReceive());
  }

  private wakeAdmission(): void {
    const waiters = this.admissionWaiters.splice(0);
    waiters.forEach((resolve) => resolve());
  }

  /** Settles every message of a receive: acknowledged (deleted) or left on the queue, each as soon as it is done. */
  private async processReceive(messages: Message[]): Promise<void> {
    await this.handlers.ready;
    const settlements = new Map<Message, Promise<Settlement>>();
    const prepared: PreparedEvent[] = [];
    for (const message of messages) {
      const preparation = this.prepare(message);
      if ('failure' in preparation) settlements.set(message, this.deadLetter(message, preparation.envelope, resolveFailure(preparation.failure), preparation.failure));
      else prepared.push(preparation);
    }
    const sharesTransaction = this.options.config.consumer.transaction === 'batch' && prepared.length > 1;
    const together = sharesTransaction ? await this.handleTogether(prepared) : undefined;
    prepared.forEach((event, index) =>
      settlements.set(event.message, together?.[index] ?? this.sequencer.run(event.message, () => this.handle(event), () => this.changeVisibility(event.message, 0))),
    );
    await Promise.all(
      messages.map(async (message) => {
        const settlement = await (settlements.get(message) as Promise<Settlement>).finally(() => {
          // Settled: its place goes to the next receive, while its delete is still on the way.
          this.heartbeat.release(message);
          this.inHand -= 1;
          this.wakeAdmission();
        });
        if (settlement === 'acknowledge') await this.acknowledger.acknowledge(message);
      }),
    );
  }

  @SqsConsumerEventHandler(INBOX_CONSUMER, 'error')
  onConsumerError(error: Error, messages?: Message | Message[]): void {
    if (messages !== undefined) {
      this.logger.warn({ err: error }, 'SQS consumer error');
      return;
    }
    // A receive failed (or was cancelled by shutdown at the gate): the gate backs off and logs.
    if (!this.stopping) this.gate.receiveFailed(error);
  }

  @SqsConsumerEventHandler(INBOX_CONSUMER, 'empty')
  onEmptyReceive(): void {
    this.gate.receiveSucceeded();
  }

  @SqsConsumerEventHandler(INBOX_CONSUMER, 'message_received')
  onMessageReceived(): void {
    this.gate.receiveSucceeded();
  }

  @SqsConsumerEventHandler(INBOX_CONSUMER, 'response_processed')
  onResponseProcessed(): void {
    this.gate.receiveSucceeded();
  }

  @SqsConsumerEventHandler(INBOX_CONSUMER, 'processing_error')
  onProcessingError(error: Error): void {
    this.logger.error({ err: error }, 'SQS message processing error');
  }

  /** Nest is stopping the consumer: a receive waiting at the gate is cancelled rather than sent. */
  onModuleDestroy(): void {
    this.stopping = true;
    this.markStopping();
    this.wakeAdmission();
    this.gate.close();
    this.outage.close();
  }

  /**
   * Nest has already asked the consumer to stop polling (module destroy). Wait for the handlers in
   * flight and for the consumer's last batch to be acknowledged, before the database closes.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.onModuleDestroy();
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(resolve, this.options.config.shutdownDrainMs, 'timeout').unref());
    const drained = await Promise.race([
      // The consumer has stopped polling and finished its last batch, deletes included.
      Promise.allSettled([...this.inFlight]).then(() => this.consumer.whenStopped()).then(() => 'drained' as const),
      deadline,
    ]);
    this.heartbeat.stop();
    // The last handlers' durations, before the database closes.
    await this.durations.flush();
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

  /** One event in transactions of its own until it settles: handled, left for a delayed retry, or dead-lettered. */
  private async handle(event: PreparedEvent): Promise<Settlement> {
    for (let tries = 1; ; tries++) {
      try {
        this.completed(event, await this.unitOfWork.runAlone(event, tries));
        return 'acknowledge';
      } catch (error) {
        const next = await this.settleFailure(event, error, tries);
        if (next === 'again') continue;
        if (next === 'again-not-counted') {
          tries -= 1;
          continue;
        }
        return next;
      }
    }
  }

  /**
   * All events of a receive in one transaction, in receive order (which keeps FIFO group order).
   * If any handler fails, the whole transaction rolls back and each event is handled alone, so
   * one failure only retries, or dead-letters, its own message. Returns undefined in that case.
   */
  private async handleTogether(events: PreparedEvent[]): Promise<Promise<Settlement>[] | undefined> {
    let results: TimedOutcome[];
    try {
      results = await this.unitOfWork.runTogether(events);
    } catch (error) {
      this.logger.debug({ err: error, events: events.length }, 'A handler failed in a batch transaction; handling each event alone');
      return undefined;
    }
    events.forEach((event, index) => this.completed(event, results[index]));
    return events.map(() => Promise.resolve<Settlement>('acknowledge'));
  }

  /**
   * The one place a failure of a valid event is settled. Returns 'again' to retry at once,
   * 'again-not-counted' once the database is back after an outage (no handler could run, so it
   * was no attempt), or the message's settlement.
   */
  private async settleFailure(event: PreparedEvent, error: unknown, tries: number): Promise<Settlement | 'again' | 'again-not-counted'> {
    const { message, envelope } = event;
    if (await this.outage.explains(error)) {
      // Held in hand, its visibility kept extended, until the database answers: no receive spent.
      await Promise.race([this.outage.whenBack(), this.whenStopping]);
      if (!this.stopping) return 'again-not-counted';
      await this.changeVisibility(message, 0);
      return 'leave';
    }
    const disposition = resolveFailure(error);
    if (disposition.kind === 'dead-letter') return this.deadLetter(message, envelope, disposition, error);
    const receiveCount = receiveCountOf(message);
    const { retry, maxReceiveCount } = this.options.config.consumer;
    const decision = decideRetry(retry, { receiveCount, triesThisDelivery: tries, maxReceiveCount });
    const type = this.typeLabel(envelope);
    const log = { err: error, messageId: message.MessageId, eventId: envelope.id, type, code: disposition.code, receiveCount, tries };
    if (decision.kind === 'exhausted') {
      // The redrive policy would move it on the next receive, without a reason; move it now, with one.
      const tried = retry.immediate > 0 ? ` (${tries} tries each)` : '';
      return this.deadLetter(message, envelope, { kind: 'dead-letter', code: 'RETRIES_EXHAUSTED', reason: `${disposition.code} after ${receiveCount} attempts${tried}: ${disposition.reason}` }, error);
    }
    this.metrics.retried.inc({ type, code: disposition.code });
    if (decision.kind === 'retry-now' && !this.stopping) {
      this.logger.debug(log, `Handler failed; retrying at once: ${disposition.reason}`);
      return 'again';
    }
    const delay = decision.kind === 'retry-later' ? decision.delaySeconds : 0;
    this.logger.warn({ ...log, retryInSeconds: delay }, `Handler failed; retrying later: ${disposition.reason}`);
    await this.changeVisibility(message, delay);
    return 'leave';
  }

  private async deadLetter(message: Message, envelope: CloudEvent | undefined, disposition: FailureDisposition, error: unknown): Promise<Settlement> {
    const type = this.typeLabel(envelope);
    this.logger.error({ err: error, messageId: message.MessageId, eventId: envelope?.id, type, code: disposition.code }, `Dead-lettering message: ${disposition.reason}`);
    try {
      await this.deadLetters.send(message, disposition);
    } catch (sendError) {
      // Not in the DLQ: leave it on the queue; it comes back, and the redrive policy is the backstop.
      this.logger.warn({ err: sendError, messageId: message.MessageId }, 'Could not dead-letter the message; leaving it on the queue');
      return 'leave';
    }
    this.metrics.deadLettered.inc({ type, code: disposition.code });
    this.observer.emit('deadLettered', { eventId: envelope?.id, type, code: disposition.code, reason: disposition.reason });
    return 'acknowledge';
  }

  /** After the commit: metrics, observers and the log line. */
  private completed({ envelope }: PreparedEvent, { outcome, seconds }: TimedOutcome): void {
    this.gate.touch();
    if (outcome === 'handled') this.metrics.handlerDuration.observe({ type: envelope.type }, seconds);
    (outcome === 'duplicate' ? this.metrics.duplicates : this.metrics.handled).inc({ type: envelope.type });
    this.observer.emit('handled', { eventId: envelope.id, type: envelope.type, correlationId: envelope.correlationid, outcome });
    runInMessageContext({ correlationId: envelope.correlationid, causationId: envelope.id, traceparent: envelope.traceparent }, () =>
      // Debug, not info: a line per event costs a busy consumer a tenth of its CPU; metrics count them.
      this.logger.debug({ eventId: envelope.id, type: envelope.type, durationMs: Math.round(seconds * 1000) }, outcome === 'duplicate' ? 'Skipped a duplicate event' : 'Handled event'),
    );
  }

  private typeLabel(envelope: CloudEvent | undefined): string {
    return envelope ? (this.contracts.has(envelope.type) ? envelope.type : 'unknown') : 'unparsed';
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

  private async changeVisibility(message: Message, seconds: number): Promise<void> {
    // Released first, and after any extension on its way: a heartbeat cannot undo a retry delay or a hand-back.
    await this.heartbeat.releaseForChange(message);
    await this.sqs
      .send(new ChangeMessageVisibilityCommand({ QueueUrl: this.locator.addresses.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: seconds }))
      .catch((error: unknown) => this.logger.warn({ err: error, messageId: message.MessageId }, 'Could not change message visibility'));
  }
}
