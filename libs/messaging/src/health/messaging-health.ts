import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { EventDispatcher, QUEUE_ADDRESSES, SQS_CLIENT, type QueueAddresses } from '../consumer/event-dispatcher';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { quotedTable } from '../database/quoted-table';
import { OutboxMessage } from '../outbox/outbox-message.entity';

/** Indicators report "down" with a reason; they never throw into the health endpoint. */
@Injectable()
export class MessagingHealthIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly metrics: MessagingMetrics,
    @Optional() @Inject(SQS_CLIENT) private readonly sqs?: SQSClient,
    @Optional() @Inject(QUEUE_ADDRESSES) private readonly queues?: QueueAddresses,
    @Optional() private readonly dispatcher?: EventDispatcher,
  ) {}

  /** Alerting threshold: an outbox event older than this means the relay is not keeping up. */
  private get backlogThresholdSeconds(): number {
    return Math.max(60, (this.options.config.outbox.pollIntervalMs / 1000) * 10);
  }

  async outboxBacklog(): Promise<HealthIndicatorResult> {
    const indicator = this.health.check('outbox');
    try {
      const table = quotedTable(this.dataSource.manager, OutboxMessage);
      const [row]: { pending: string; oldest_seconds: number | null }[] = await this.dataSource.query(
        // A scheduled event is pending only once it is due, and late only from its due time.
        `SELECT count(*) AS pending, extract(epoch FROM now() - min(greatest(created_at, deliver_at))) AS oldest_seconds
         FROM ${table} WHERE published_at IS NULL AND (deliver_at IS NULL OR deliver_at <= now())`,
      );
      const oldestSeconds = Number(row.oldest_seconds ?? 0);
      this.metrics.outboxOldestPendingSeconds.set(oldestSeconds);
      const details = { pending: Number(row.pending), oldestPendingSeconds: oldestSeconds, thresholdSeconds: this.backlogThresholdSeconds };
      return oldestSeconds > this.backlogThresholdSeconds ? indicator.down(details) : indicator.up(details);
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  async queueReachable(): Promise<HealthIndicatorResult> {
    const indicator = this.health.check('sqs');
    if (!this.sqs || !this.queues) return indicator.up({ consumes: false });
    try {
      const response = await this.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: this.queues.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      return indicator.up({ approximateMessages: Number(response.Attributes?.ApproximateNumberOfMessages ?? 0) });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  consumerAlive(): HealthIndicatorResult {
    const indicator = this.health.check('consumer');
    if (!this.dispatcher) return indicator.up({ consumes: false });
    const sinceLastPollSeconds = (Date.now() - this.dispatcher.lastActivityAt) / 1000;
    // A long poll lasts up to waitTimeSeconds; three missed polls in a row is a stuck consumer.
    const limit = 3 * Math.max(this.options.config.consumer.waitTimeSeconds, 5) + 5;
    return sinceLastPollSeconds > limit ? indicator.down({ sinceLastPollSeconds, limit }) : indicator.up({ sinceLastPollSeconds });
  }
}
