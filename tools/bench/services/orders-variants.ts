import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  createCloudEvent,
  createServiceApp,
  createSnsClient,
  EVENT_TYPE_ATTRIBUTE,
  messageContextOrNew,
  Outbox,
  topicArn,
  TopologyNames,
  type CloudEvent,
  type EventContract,
  type EventPayload,
  type MessagingConfig,
  type PublishOptions,
} from '@app/messaging';
import { Inject, Injectable, type DynamicModule, type INestApplication, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import { createOrdersApp } from '../../../apps/orders/src/app';
import { loadOrdersConfig } from '../../../apps/orders/src/orders.config';
import { OrdersModule } from '../../../apps/orders/src/orders.module';
import { ordersTopology } from '../../../apps/orders/src/orders.topology';
import { PlaceOrderService } from '../../../apps/orders/src/place-order/place-order.service';

/**
 * How `POST /orders` announces the order:
 * - `outbox`: the real orders service, unchanged (OrderPlaced written to the outbox in the order's
 *   transaction, relayed to SNS afterwards);
 * - `direct`: the same transaction without the outbox row, and OrderPlaced published straight to SNS
 *   right after COMMIT, before the 202 (the design the outbox replaces: an event lost if the
 *   process dies between the two);
 * - `none`: the same transaction, no event at all (the HTTP baseline).
 *
 * The variants replace only the Outbox that PlaceOrderService is given, so the controller, the
 * validation, the service's own writes and the rest of the app are the real orders code.
 */
export type PlaceOrderVariant = 'outbox' | 'direct' | 'none';

const BENCH_MESSAGING_CONFIG = Symbol('BENCH_MESSAGING_CONFIG');

type OutboxPort = Pick<Outbox, 'publish'>;

interface PendingEvents {
  benchAfterCommit?: CloudEvent[];
}

/** The `none` variant: the event is neither written nor sent. */
@Injectable()
class NoEventOutbox implements OutboxPort {
  async publish<C extends EventContract>(_manager: EntityManager, contract: C, data: EventPayload<C>, options: PublishOptions): Promise<CloudEvent<EventPayload<C>>> {
    return createCloudEvent({ source: `/${ordersTopology.service}`, type: contract.type, subject: options.subject, data, correlationId: messageContextOrNew().correlationId });
  }
}

/** The `direct` variant: validated and enveloped like the outbox does, then published once the transaction has committed. */
@Injectable()
class PublishAfterCommit implements OutboxPort, OnApplicationBootstrap, OnApplicationShutdown, EntitySubscriberInterface {
  private readonly sns: SNSClient;
  private readonly names: TopologyNames;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BENCH_MESSAGING_CONFIG) private readonly config: MessagingConfig,
  ) {
    this.sns = createSnsClient(config.aws);
    this.names = new TopologyNames(config.topologyPrefix);
  }

  onApplicationBootstrap(): void {
    this.dataSource.subscribers.push(this);
  }

  onApplicationShutdown(): void {
    this.sns.destroy();
  }

  async publish<C extends EventContract>(manager: EntityManager, contract: C, data: EventPayload<C>, options: PublishOptions): Promise<CloudEvent<EventPayload<C>>> {
    const context = messageContextOrNew();
    const envelope = createCloudEvent({
      source: `/${ordersTopology.service}`,
      type: contract.type,
      subject: options.subject,
      data: contract.schema.parse(data) as EventPayload<C>,
      correlationId: context.correlationId,
      causationId: context.causationId,
      traceparent: context.traceparent,
    });
    const pending = manager.queryRunner?.data as PendingEvents | undefined;
    if (!pending) throw new Error('publish needs the transaction of the change');
    (pending.benchAfterCommit ??= []).push(envelope);
    return envelope;
  }

  /** TypeORM awaits this inside commitTransaction, so the caller's transaction() resolves after SNS answered. */
  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const pending = event.queryRunner.data as PendingEvents;
    const events = pending.benchAfterCommit ?? [];
    pending.benchAfterCommit = undefined;
    for (const envelope of events) {
      await this.sns.send(
        new PublishCommand({
          TopicArn: topicArn(this.config.aws, this.names.topic({ topic: topicOf(envelope.type), fifo: false })),
          Message: JSON.stringify(envelope),
          MessageAttributes: { [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: envelope.type } },
        }),
      );
    }
  }
}

function topicOf(type: string): string {
  const contract = ordersTopology.publishes.find((candidate) => candidate.type === type);
  if (!contract) throw new Error(`orders does not publish ${type}`);
  return contract.topic;
}

/** The orders module with the Outbox given to PlaceOrderService swapped; a provider of the module itself wins over the global one. */
function withOutbox(module: DynamicModule, replacement: typeof NoEventOutbox | typeof PublishAfterCommit, config: MessagingConfig): DynamicModule {
  const dependencies: unknown[] = Reflect.getMetadata('design:paramtypes', PlaceOrderService) ?? [];
  if (!dependencies.includes(Outbox)) throw new Error('PlaceOrderService no longer takes the Outbox: the bench variants would measure nothing; update tools/bench');
  return {
    ...module,
    providers: [...(module.providers ?? []), { provide: Outbox, useClass: replacement }, { provide: BENCH_MESSAGING_CONFIG, useValue: config }],
  };
}

export async function createOrdersVariant(variant: PlaceOrderVariant, env: NodeJS.ProcessEnv): Promise<{ app: INestApplication; port: number }> {
  if (variant === 'outbox') return createOrdersApp(env);
  const config = loadOrdersConfig(env);
  const module = withOutbox(OrdersModule.forRoot(config), variant === 'direct' ? PublishAfterCommit : NoEventOutbox, config.messaging);
  const app = await createServiceApp(module, { title: `orders (${variant})` });
  return { app, port: config.port };
}
