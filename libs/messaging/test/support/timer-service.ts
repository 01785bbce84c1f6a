import { defineEvent, defineService, EventContext, MessagingModule, OnEvent, type EventPayload, type EventTransport, type MessagingConfig } from '@app/messaging';
import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { z } from 'zod';
import { testServiceWorld, type TestServiceWorld } from './test-service-world';

/** A service that schedules events: reminders to everyone (a topic) and wake-ups to itself (its own queue). */
export const ReminderDue = defineEvent({
  type: 'test.reminder.due.v1',
  topic: 'reminders',
  schema: z.object({ reminderId: z.string() }),
});

/** Never published to a topic: the service sends it to its own queue only. */
export const WakeUpDue = defineEvent({
  type: 'test.wake-up.due.v1',
  topic: 'wake-ups',
  schema: z.object({ reminderId: z.string() }),
});

export const timerTopology = defineService({ service: 'timers', publishes: [ReminderDue], consumes: [ReminderDue, WakeUpDue] });

@Entity({ name: 'timer_effects' })
export class TimerEffect {
  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'reminder_id', type: 'text' })
  reminderId: string;
}

export class CreateTimerEffects1700000000003 implements MigrationInterface {
  name = 'CreateTimerEffects1700000000003';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE timer_effects (event_id text PRIMARY KEY, type text NOT NULL, reminder_id text NOT NULL)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE timer_effects`);
  }
}

@Controller()
class TimerHandler {
  @OnEvent(ReminderDue)
  async onReminder(@Payload() reminder: EventPayload<typeof ReminderDue>, @Ctx() ctx: EventContext): Promise<void> {
    await ctx.manager.insert(TimerEffect, { eventId: ctx.envelope.id, type: ctx.envelope.type, reminderId: reminder.reminderId });
  }

  @OnEvent(WakeUpDue)
  async onWakeUp(@Payload() wakeUp: EventPayload<typeof WakeUpDue>, @Ctx() ctx: EventContext): Promise<void> {
    await ctx.manager.insert(TimerEffect, { eventId: ctx.envelope.id, type: ctx.envelope.type, reminderId: wakeUp.reminderId });
  }
}

export const timerDatabase = { schema: 'timers', entities: [TimerEffect], migrations: [CreateTimerEffects1700000000003] };

@Module({})
class TimerModule {
  static forRoot(config: MessagingConfig, decorateTransport?: (transport: EventTransport) => EventTransport): DynamicModule {
    return {
      module: TimerModule,
      imports: [MessagingModule.forRoot({ topology: timerTopology, config, database: timerDatabase, decorateTransport })],
      controllers: [TimerHandler],
    };
  }
}

export function timerWorld(overrides: NodeJS.ProcessEnv = {}, decorateTransport?: (transport: EventTransport) => EventTransport): Promise<TestServiceWorld> {
  return testServiceWorld(timerTopology, (config) => TimerModule.forRoot(config, decorateTransport), overrides);
}
