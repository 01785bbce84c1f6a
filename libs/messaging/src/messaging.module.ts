import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { DataSourceOptions } from 'typeorm';
import { createSnsClient, createSqsClient } from './aws/aws-clients';
import type { MessagingConfig } from './config/messaging-config';
import { EventDispatcher } from './consumer/event-dispatcher';
import { InboxConsumer } from './consumer/inbox-consumer';
import { QUEUE_LOCATOR, SQS_CLIENT } from './consumer/queue-addresses';
import { QueueLocator } from './consumer/queue-locator';
import { EventHandlersServer } from './consumer/event-handlers.server';
import { DatabaseOutage } from './consumer/database-outage';
import { DeadLetterQueue } from './consumer/dead-letter-queue';
import { ReceiveGate } from './consumer/receive-gate';
import { UnitOfWork } from './consumer/unit-of-work';
import { HandlerDurationLog } from './inbox/handler-duration-log';
import { openServiceDataSource, serviceDataSourceOptions, type ServiceDatabase } from './database/service-data-source';
import { RetentionJanitor } from './database/retention-janitor';
import { AdminController } from './admin/admin.controller';
import { OpsTokenGuard } from './admin/ops-token.guard';
import { HealthController } from './health/health.controller';
import { HealthMonitor } from './health/health-monitor';
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
import { TopologyNames, type ServiceTopology } from './topology/service-topology';

export interface MessagingModuleOptions {
  topology: ServiceTopology;
  config: MessagingConfig;
  database: ServiceDatabase;
  /** Wraps the SNS transport: instrumentation, or fault injection in tests. */
  decorateTransport?: (transport: EventTransport) => EventTransport;
}

const SNS_CLIENT = Symbol('SNS_CLIENT');

/**
 * Delayed deliveries to the service's own queue, which may not be located yet (the broker was
 * unreachable at start-up): until it is, a send fails as a whole and the relay backs off.
 */
function ownQueueOnceLocated(sqs: SQSClient, locator: QueueLocator | null): EventTransport {
  let transport: OwnQueueTransport | undefined;
  const resolve = () => (transport ??= new OwnQueueTransport(sqs, locator ? locator.addresses.queueUrl : null));
  const limits = new OwnQueueTransport(sqs, null);
  return {
    maxBatchSize: limits.maxBatchSize,
    maxBatchBytes: limits.maxBatchBytes,
    publishBatch: (destination, events) => (locator && !locator.isLocated ? Promise.reject(new Error(`Queue "${locator.queueName}" not located yet`)) : resolve().publishBatch(destination, events)),
  };
}

/** Clients and addresses, shared by the messaging module and the SQS consumer it configures. */
@Module({})
class MessagingInfrastructureModule {
  static forRoot(options: MessagingOptions, receiveGate: ReceiveGate): DynamicModule {
    const providers: Provider[] = [
      { provide: MESSAGING_OPTIONS, useValue: options },
      { provide: SQS_CLIENT, useFactory: () => createSqsClient(options.config.aws) },
      { provide: SNS_CLIENT, useFactory: () => createSnsClient(options.config.aws) },
      { provide: ReceiveGate, useValue: receiveGate },
      {
        provide: QUEUE_LOCATOR,
        inject: [SQS_CLIENT],
        // A missing queue stops start-up here; an unreachable broker does not (the locator keeps trying).
        useFactory: async (sqs: SQSClient): Promise<QueueLocator | null> => {
          if (options.topology.consumes.length === 0) return null;
          const names = new TopologyNames(options.config.topologyPrefix);
          return QueueLocator.start(sqs, { queue: names.queue(options.topology), deadLetterQueue: names.deadLetterQueue(options.topology) }, receiveGate);
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
    const receiveGate = new ReceiveGate();
    const infrastructure = MessagingInfrastructureModule.forRoot({ topology, config }, receiveGate);
    const consumes = topology.consumes.length > 0;
    const names = new TopologyNames(config.topologyPrefix);
    const dataSourceOptions = serviceDataSourceOptions(config.database, database, topology.service, { signalsOutboxCommits: true });
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
      ],
      controllers: [HealthController, MetricsController, AdminController],
      providers: [
        Outbox,
        OutboxRelay,
        OutboxCommitSignal,
        RetentionJanitor,
        EventHandlersServer,
        MessagingHealthIndicators,
        HealthMonitor,
        OpsTokenGuard,
        {
          provide: EVENT_TRANSPORT,
          inject: [SNS_CLIENT, SQS_CLIENT, QUEUE_LOCATOR],
          useFactory: (sns: SNSClient, sqs: SQSClient, locator: QueueLocator | null) => {
            const transport = new AwsEventTransport(new SnsEventTransport(sns, config.aws, names.prefix), ownQueueOnceLocated(sqs, locator));
            return options.decorateTransport ? options.decorateTransport(transport) : transport;
          },
        },
        // Also the HTTP edge's judge of an outage (503), so every service has it.
        DatabaseOutage,
        ...(consumes ? [EventDispatcher, UnitOfWork, HandlerDurationLog, DeadLetterQueue, InboxConsumer] : []),
      ],
      exports: [Outbox, OutboxRelay, RetentionJanitor, EventHandlersServer, infrastructure],
    };
  }
}
