import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { QUEUE_LOCATOR, SQS_CLIENT } from '../consumer/queue-addresses';
import type { QueueLocator } from '../consumer/queue-locator';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { outboxBacklogOf, type OutboxLag } from '../outbox/outbox-backlog';

export interface BrokerSample {
  reachable: boolean;
  checkedAt: Date;
  /** The queue has not been located yet (the broker was unreachable at start-up). */
  locating?: boolean;
  approximateMessages?: number;
  approximateInFlight?: number;
  error?: string;
}

export type OutboxSample = ({ ok: true } & OutboxLag & { checkedAt: Date }) | { ok: false; error: string; checkedAt: Date };

/** A sample must never hang the timer: each call is bounded by this. */
const SAMPLE_TIMEOUT_MS = 2000;

/**
 * What the service depends on but does not need in order to serve: the broker and the outbox's
 * backlog. Sampled every HEALTH_SAMPLE_MS into metrics and into the detailed health view, so that
 * probes only read the last sample: a readiness or liveness probe never waits on SQS, and a
 * shared downstream's trouble never takes every replica out of its load balancer.
 */
@Injectable()
export class HealthMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HealthMonitor.name);
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;
  broker?: BrokerSample;
  outbox?: OutboxSample;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly metrics: MessagingMetrics,
    @Optional() @Inject(SQS_CLIENT) private readonly sqs?: SQSClient,
    @Optional() @Inject(QUEUE_LOCATOR) private readonly locator?: QueueLocator | null,
  ) {}

  /** The first sample is taken before the service is up, so the detailed view has one from the start. */
  async onApplicationBootstrap(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => void this.sample(), this.options.config.health.sampleIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Takes a sample now (one at a time: a slow one is not overlapped by the next). */
  sample(): Promise<void> {
    this.sampling ??= Promise.all([this.sampleBroker(), this.sampleOutbox()])
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Health sample failed'))
      .finally(() => (this.sampling = undefined));
    return this.sampling;
  }

  private async sampleBroker(): Promise<void> {
    if (!this.locator || !this.sqs) return;
    const checkedAt = new Date();
    if (!this.locator.isLocated) {
      this.broker = { reachable: false, locating: true, checkedAt, error: this.locator.lastError };
    } else {
      try {
        const { Attributes = {} } = await this.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: this.locator.addresses.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
          { abortSignal: AbortSignal.timeout(SAMPLE_TIMEOUT_MS) },
        );
        const approximateMessages = Number(Attributes.ApproximateNumberOfMessages ?? 0);
        const approximateInFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
        this.broker = { reachable: true, checkedAt, approximateMessages, approximateInFlight };
        this.metrics.queueMessages.set({ state: 'visible' }, approximateMessages);
        this.metrics.queueMessages.set({ state: 'in_flight' }, approximateInFlight);
      } catch (error) {
        this.broker = { reachable: false, checkedAt, error: (error as Error).message };
      }
    }
    this.metrics.brokerReachable.set(this.broker.reachable ? 1 : 0);
  }

  private async sampleOutbox(): Promise<void> {
    const checkedAt = new Date();
    let timer: NodeJS.Timeout | undefined;
    try {
      const summary = await Promise.race([
        outboxBacklogOf(this.dataSource).lag(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${SAMPLE_TIMEOUT_MS} ms`)), SAMPLE_TIMEOUT_MS))),
      ]);
      this.outbox = { ok: true, ...summary, checkedAt };
      this.metrics.outboxPending.set(summary.pending);
      this.metrics.outboxOldestPendingSeconds.set(summary.oldestPendingAgeSeconds ?? 0);
      this.metrics.outboxParked.set(summary.parked);
    } catch (error) {
      this.outbox = { ok: false, error: (error as Error).message, checkedAt };
    } finally {
      clearTimeout(timer);
    }
  }
}
