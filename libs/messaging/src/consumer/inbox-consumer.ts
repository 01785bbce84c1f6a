import type { SQSClient } from '@aws-sdk/client-sqs';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LazyModuleLoader } from '@nestjs/core';
import { SqsModule, SqsService } from '@ssut/nestjs-sqs';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { INBOX_CONSUMER, QUEUE_LOCATOR, SQS_CLIENT, type QueueAddresses } from './queue-addresses';
import type { QueueLocator } from './queue-locator';
import { ReceiveGate } from './receive-gate';

/**
 * Starts the service's one @ssut/nestjs-sqs consumer once its queue is located, which may be long
 * after start-up when the broker was unreachable then: its module is loaded lazily, at that moment,
 * and its handler is the EventDispatcher's `@SqsMessageHandler` (found by discovery as usual).
 * Lazily loaded modules get no lifecycle hooks, so this starts and stops the consumer itself.
 */
@Injectable()
export class InboxConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(InboxConsumer.name);
  private sqsService?: SqsService;
  private stopping = false;
  private markStopped!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  constructor(
    private readonly lazyModules: LazyModuleLoader,
    private readonly gate: ReceiveGate,
    @Inject(QUEUE_LOCATOR) private readonly locator: QueueLocator,
    @Inject(SQS_CLIENT) private readonly sqs: SQSClient,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  onApplicationBootstrap(): void {
    void this.locator.located.then((addresses) => this.start(addresses)).catch((error: unknown) => this.logger.error({ err: error }, 'Could not start the SQS consumer'));
  }

  /** Whether the consumer has been started (its queue located). */
  get started(): boolean {
    return this.sqsService !== undefined;
  }

  /** Resolves once the consumer has stopped polling and finished its last batch; at once if it never started. */
  whenStopped(): Promise<void> {
    return this.sqsService ? this.stopped : Promise.resolve();
  }

  onModuleDestroy(): void {
    this.stopping = true;
    this.locator.stop();
    this.sqsService?.onModuleDestroy();
  }

  private async start(addresses: QueueAddresses): Promise<void> {
    if (this.stopping) return;
    const { consumer, shutdownDrainMs } = this.options.config;
    const moduleRef = await this.lazyModules.load(() =>
      SqsModule.register({
        consumers: [
          {
            name: INBOX_CONSUMER,
            queueUrl: addresses.queueUrl,
            sqs: this.sqs,
            batchSize: consumer.batchSize,
            waitTimeSeconds: consumer.waitTimeSeconds,
            visibilityTimeout: consumer.visibilityTimeoutSeconds,
            // No heartbeatInterval: the dispatcher keeps what it holds invisible, for as long as it holds it.
            messageAttributeNames: ['All'],
            messageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SentTimestamp'],
            pollingCompleteWaitTimeMs: shutdownDrainMs,
            // Group order is kept by the dispatcher (one message of a group at a time).
            suppressFifoWarning: true,
            // Every poll waits here while the database is down or the broker is failing:
            // receiving pauses and resumes without stopping the consumer.
            preReceiveMessageCallback: () => this.gate.beforeReceive(),
          },
        ],
      }),
    );
    if (this.stopping) return;
    const sqsService = moduleRef.get(SqsService);
    await sqsService.onModuleInit();
    sqsService.consumers.get(INBOX_CONSUMER)?.instance.on('stopped', () => this.markStopped());
    this.sqsService = sqsService;
  }
}
