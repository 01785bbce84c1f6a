import {
  createSqsClient,
  defineEvent,
  defineService,
  EventContext,
  MessagingModule,
  OnEvent,
  RetryableError,
  type EventPayload,
  type EventTransport,
  type MessagingConfig,
} from '@app/messaging';
import { Controller, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { Client } from 'pg';
import { z } from 'zod';
import { connectTo } from './database';
import { testServiceWorld, type TestServiceWorld } from './test-service-world';

/** A tiny domain-free service for the library's conformance specs: it publishes and consumes widgets. */
export const WidgetCreated = defineEvent({
  type: 'test.widget.created.v1',
  topic: 'widgets',
  schema: z.object({ widgetId: z.string(), label: z.string() }),
});

export const widgetTopology = defineService({ service: 'widgets', publishes: [WidgetCreated], consumes: [WidgetCreated] });

@Entity({ name: 'widget_effects' })
export class WidgetEffect {
  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId: string;

  @Column({ name: 'widget_id', type: 'text' })
  widgetId: string;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;
}

export class CreateWidgetEffects1700000000001 implements MigrationInterface {
  name = 'CreateWidgetEffects1700000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE widget_effects (event_id text PRIMARY KEY, widget_id text NOT NULL, correlation_id text NOT NULL)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE widget_effects`);
  }
}

/** What the handler does, set per test: fail a number of times, or wait for a release. */
@Injectable()
export class WidgetBehaviour {
  failuresLeft = new Map<string, number>();
  handledCalls = 0;
  gate?: Promise<void>;
  entered?: () => void;
  /** Per widget: the handler waits for this before doing anything. */
  holds = new Map<string, Promise<void>>();
  /** Per widget: each handler call's delivery count (ctx.receiveCount), in order. */
  receiveCounts = new Map<string, number[]>();
  /** Per widget: the handler's first write, then it waits for this (a handler that hangs mid-way). */
  hangAfterFirstWrite = new Map<string, Promise<void>>();
  /** Per widget: calls left that meet a database error, catch it and return as if done. */
  swallowsDatabaseError = new Map<string, number>();

  failWith = (widgetId: string): Error => new RetryableError(`transient failure for ${widgetId}`, 'TEST_TRANSIENT');

  failTimes(widgetId: string, times: number): void {
    this.failuresLeft.set(widgetId, times);
  }
}

@Controller()
export class WidgetHandler {
  constructor(private readonly behaviour: WidgetBehaviour) {}

  @OnEvent(WidgetCreated)
  async onWidgetCreated(@Payload() widget: EventPayload<typeof WidgetCreated>, @Ctx() ctx: EventContext): Promise<void> {
    this.behaviour.handledCalls += 1;
    this.behaviour.receiveCounts.set(widget.widgetId, [...(this.behaviour.receiveCounts.get(widget.widgetId) ?? []), ctx.receiveCount]);
    this.behaviour.entered?.();
    if (this.behaviour.gate) await this.behaviour.gate;
    await this.behaviour.holds.get(widget.widgetId);
    const hang = this.behaviour.hangAfterFirstWrite.get(widget.widgetId);
    if (hang) {
      this.behaviour.hangAfterFirstWrite.delete(widget.widgetId);
      await ctx.manager.insert(WidgetEffect, { eventId: `${ctx.envelope.id}-first-try`, widgetId: `${widget.widgetId}-first-try`, correlationId: ctx.envelope.correlationid });
      await hang;
    }
    const swallowsLeft = this.behaviour.swallowsDatabaseError.get(widget.widgetId) ?? 0;
    if (swallowsLeft > 0) {
      this.behaviour.swallowsDatabaseError.set(widget.widgetId, swallowsLeft - 1);
      await ctx.manager.query('SELECT 1 / 0').catch(() => undefined);
      return;
    }
    const failuresLeft = this.behaviour.failuresLeft.get(widget.widgetId) ?? 0;
    if (failuresLeft > 0) {
      this.behaviour.failuresLeft.set(widget.widgetId, failuresLeft - 1);
      throw this.behaviour.failWith(widget.widgetId);
    }
    await ctx.manager.insert(WidgetEffect, { eventId: ctx.envelope.id, widgetId: widget.widgetId, correlationId: ctx.envelope.correlationid });
  }
}

export const widgetDatabase = { schema: 'widgets', entities: [WidgetEffect], migrations: [CreateWidgetEffects1700000000001] };

@Module({})
class WidgetModule {
  static forRoot(config: MessagingConfig, decorateTransport?: (transport: EventTransport) => EventTransport): DynamicModule {
    return {
      module: WidgetModule,
      imports: [MessagingModule.forRoot({ topology: widgetTopology, config, database: widgetDatabase, decorateTransport })],
      controllers: [WidgetHandler],
      providers: [WidgetBehaviour],
    };
  }
}

/** An isolated database and topology for one spec, provisioned, with replicas started on demand. */
export function widgetWorld(overrides: NodeJS.ProcessEnv = {}, decorateTransport?: (transport: EventTransport) => EventTransport): Promise<TestServiceWorld> {
  return testServiceWorld(widgetTopology, (config) => WidgetModule.forRoot(config, decorateTransport), overrides);
}

/** A widget world with a client on its database and one on its SQS, for specs that look behind the service. */
export interface WidgetRig {
  world: TestServiceWorld;
  db: Client;
  sqs: ReturnType<typeof createSqsClient>;
  /** Ends both clients, then the world. */
  stop(): Promise<void>;
}

export async function widgetRig(overrides: NodeJS.ProcessEnv = {}): Promise<WidgetRig> {
  const world = await widgetWorld(overrides);
  const db = await connectTo(world.env).catch(async (error: unknown) => {
    await world.stop();
    throw error;
  });
  const sqs = createSqsClient(world.config.aws);
  return {
    world,
    db,
    sqs,
    stop: async () => {
      await db.end();
      sqs.destroy();
      await world.stop();
    },
  };
}
