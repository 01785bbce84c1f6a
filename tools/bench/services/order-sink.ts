import { OrderPlaced } from '@app/contracts';
import { createServiceApp, defineService, EventContext, loadServiceConfig, MessagingModule, messagingEnvSchema, OnEvent, portFromEnv, type EventPayload, type MessagingConfig } from '@app/messaging';
import { Controller, Injectable, Module, type DynamicModule, type INestApplication, type OnApplicationBootstrap } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { Column, Entity, PrimaryColumn, type DataSource, type EntitySubscriberInterface, type MigrationInterface, type QueryRunner, type TransactionCommitEvent } from 'typeorm';
import { z } from 'zod';
import { monotonicMs } from '../infrastructure/ipc-protocol';

/**
 * A bench-only service downstream of orders: it consumes OrderPlaced through the library's full
 * consumer path and its handler writes one row, like any real handler. It notes when each order's
 * transaction committed, which is when the event counts as handled.
 */
export const sinkTopology = defineService({ service: 'bench-sink', publishes: [], consumes: [OrderPlaced] });

@Entity({ name: 'seen_orders' })
class SeenOrder {
  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;
}

class CreateSeenOrders1732300090000 implements MigrationInterface {
  name = 'CreateSeenOrders1732300090000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE seen_orders (event_id text PRIMARY KEY, order_id uuid NOT NULL)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE seen_orders`);
  }
}

/** Handled orders, in order of commit: [orderId, monotonic ms]. */
@Injectable()
export class HandledOrders implements OnApplicationBootstrap, EntitySubscriberInterface {
  records: [string, number][] = [];
  /** When the first handler since the last reset started (monotonic ms). */
  firstStartedAt?: number;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.dataSource.subscribers.push(this);
  }

  /** Runs right after COMMIT returns, for the transaction whose handlers tagged its query runner. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as { benchOrderIds?: string[] };
    const committedAt = monotonicMs();
    for (const orderId of data.benchOrderIds ?? []) this.records.push([orderId, committedAt]);
    data.benchOrderIds = undefined;
  }
}

@Controller()
class OrderPlacedSink {
  constructor(private readonly handled: HandledOrders) {}

  @OnEvent(OrderPlaced)
  async onOrderPlaced(@Payload() order: EventPayload<typeof OrderPlaced>, @Ctx() ctx: EventContext): Promise<void> {
    this.handled.firstStartedAt ??= monotonicMs();
    await ctx.manager.insert(SeenOrder, { eventId: ctx.envelope.id, orderId: order.orderId });
    // The events of one receive can share a transaction: each handler adds its order.
    if (ctx.manager.queryRunner) ((ctx.manager.queryRunner.data as { benchOrderIds?: string[] }).benchOrderIds ??= []).push(order.orderId);
  }
}

@Module({})
class OrderSinkModule {
  static forRoot(config: MessagingConfig): DynamicModule {
    return {
      module: OrderSinkModule,
      imports: [MessagingModule.forRoot({ topology: sinkTopology, config, database: { schema: 'bench_sink', entities: [SeenOrder], migrations: [CreateSeenOrders1732300090000] } })],
      controllers: [OrderPlacedSink],
      providers: [HandledOrders],
    };
  }
}

export async function createOrderSinkApp(env: NodeJS.ProcessEnv): Promise<{ app: INestApplication; port: number }> {
  const { messaging, service } = loadServiceConfig(messagingEnvSchema, z.object({ PORT: portFromEnv(3090) }), env);
  const app = await createServiceApp(OrderSinkModule.forRoot(messaging), { title: 'bench sink' });
  return { app, port: service.PORT };
}
