import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SqsModule } from '@ssut/nestjs-sqs';
import { LoggerModule } from 'nestjs-pino';
import type { DataSourceOptions } from 'typeorm';
import { createSnsClient, createSqsClient } from './aws/aws-clients';
import type { MessagingConfig } from './config/messaging-config';
import { EventDispatcher, INBOX_CONSUMER, QUEUE_ADDRESSES, SQS_CLIENT, type QueueAddresses } from './consumer/event-dispatcher';
import { EventHandlersServer } from './consumer/event-handlers.server';
import { DatabaseOutage } from './consumer/database-outage';
import { DeadLetterQueue } from './consumer/dead-letter-queue';
import { ReceiveGate } from './consumer/receive-gate';
import { UnitOfWork } from './consumer/unit-of-work';
import { openServiceDataSource, serviceDataSourceOptions, type ServiceDatabase } from './database/service-data-source';
import { RetentionJanitor } from './database/retention-janitor';
import { AdminController } from './admin/admin.controller';
import { OpsTokenGuard } from './admin/ops-token.guard';
import { HealthController } from './health/health.controller';
import { MessagingHealthIndicators } from './health/messaging-health';
import { loggerParams } from './logging/logging';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { MessagingMetrics } from './metrics/messaging-metrics';
import { MessagingObserver } from './observer/messaging-observer';
import { MetricsController } from './metrics/metrics.controller';
import { EVENT_TRANSPORT, type EventTransport } from './outbox/event-transport';
import { Outbox } from './outbox/outbox';
import { OutboxCommitSignal } from './outbox/outbox-commit-signal';
import { OutboxRelay } from './outbox/outbox-relay';
import { AwsEventTransport } from './outbox/aws-event-transport';
import { OwnQueueTransport } from './outbox/own-queue-transport';
import { SnsEventTransport } from './outbox/sns-event-transport';
import { locateQueue } from './topology/provisioner';
import { TopologyNames, type ServiceTopology } from './topology/service-topology';

export interface MessagingModuleOptions {
  topology: ServiceTopology;
  config: MessagingConfig;
  database: ServiceDatabase;
  /** Wraps the SNS transport: instrumentation, or fault injection in tests. */
  decorateTransport?: (transport: EventTransport) => EventTransport;
}

const SNS_CLIENT = Symbol('SNS_CLIENT');

/** Clients and addresses, shared by the messaging module and the SQS consumer it configures. */
@Module({})
class MessagingInfrastructureModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: MESSAGING_OPTIONS, useValue: options },
      { provide: SQS_CLIENT, useFactory: () => createSqsClient(options.config.aws) },
      { provide: SNS_CLIENT, useFactory: () => createSnsClient(options.config.aws) },
      {
        provide: QUEUE_ADDRESSES,
        inject: [SQS_CLIENT],
        useFactory: async (sqs: SQSClient): Promise<QueueAddresses | null> => {
          if (options.topology.consumes.length === 0) return null;
          const names = new TopologyNames(options.config.topologyPrefix);
          return {
            queueUrl: await locateQueue(sqs, names.queue(options.topology)),
            deadLetterQueueUrl: await locateQueue(sqs, names.deadLetterQueue(options.topology)),
          };
        },
      },
      MessagingMetrics,
      MessagingObserver,
    ];
    return { module: MessagingInfrastructureModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}

/**
 * Everything a service needs to take part in the event system, from one import: its database
 * (service schema, outbox/inbox tables, migrations), the outbox and its relay, the SQS consumer
 * with inbox, JSON logs with correlation, health endpoints and Prometheus metrics.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const { topology, config, database } = options;
    const infrastructure = MessagingInfrastructureModule.forRoot({ topology, config });
    const consumes = topology.consumes.length > 0;
    const names = new TopologyNames(config.topologyPrefix);
    const dataSourceOptions = serviceDataSourceOptions(config.database, database, topology.service, { signalsOutboxCommits: true });
    const receiveGate = new ReceiveGate();

    const sqsConsumer = SqsModule.registerAsync({
      imports: [infrastructure],
      inject: [SQS_CLIENT, QUEUE_ADDRESSES],
      useFactory: (sqs: SQSClient, queues: QueueAddresses | null) => ({
        consumers: queues
          ? [
              {
                name: INBOX_CONSUMER,
                queueUrl: queues.queueUrl,
                sqs,
                batchSize: config.consumer.batchSize,
                waitTimeSeconds: config.consumer.waitTimeSeconds,
                visibilityTimeout: config.consumer.visibilityTimeoutSeconds,
                // Long handlers keep their message invisible: extend it well before it lapses.
                heartbeatInterval: Math.max(1, Math.floor(config.consumer.visibilityTimeoutSeconds / 3)),
                messageAttributeNames: ['All'],
                messageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SentTimestamp'],
                pollingCompleteWaitTimeMs: config.shutdownDrainMs,
                // Group order is kept by the dispatcher (one message of a group at a time).
                suppressFifoWarning: true,
                // Every poll waits here while the database is down or the broker is failing:
                // receiving pauses and resumes without stopping the consumer.
                preReceiveMessageCallback: () => receiveGate.beforeReceive(),
              },
            ]
          : [],
      }),
    });

    return {
      module: MessagingModule,
      imports: [
        infrastructure,
        LoggerModule.forRoot(loggerParams(topology.service, config.logLevel)),
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions,
          dataSourceFactory: (resolved?: DataSourceOptions) => openServiceDataSource(resolved ?? dataSourceOptions, config.database.migrateOnStart),
        }),
        TerminusModule.forRoot({ logger: false }),
        sqsConsumer,
      ],
      controllers: [HealthController, MetricsController, AdminController],
      providers: [
        Outbox,
        OutboxRelay,
        OutboxCommitSignal,
        RetentionJanitor,
        EventHandlersServer,
        MessagingHealthIndicators,
        OpsTokenGuard,
        {
          provide: EVENT_TRANSPORT,
          inject: [SNS_CLIENT, SQS_CLIENT, QUEUE_ADDRESSES],
          useFactory: (sns: SNSClient, sqs: SQSClient, queues: QueueAddresses | null) => {
            const transport = new AwsEventTransport(new SnsEventTransport(sns, config.aws, names.prefix), new OwnQueueTransport(sqs, queues?.queueUrl ?? null));
            return options.decorateTransport ? options.decorateTransport(transport) : transport;
          },
        },
        { provide: ReceiveGate, useValue: receiveGate },
        // Also the HTTP edge's judge of an outage (503), so every service has it.
        DatabaseOutage,
        ...(consumes ? [EventDispatcher, UnitOfWork, DeadLetterQueue] : []),
      ],
      exports: [Outbox, OutboxRelay, RetentionJanitor, EventHandlersServer, infrastructure],
    };
  }
}
