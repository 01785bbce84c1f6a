import { InvalidEventError, Outbox, OutboxBacklog, OutboxRelay, runSqlOn } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { connectTo, countRows } from './support/database';
import type { TestServiceWorld } from './support/test-service-world';
import { ReminderDue, timerWorld, WakeUpDue } from './support/timer-service';
import { observeTopic } from './support/topic-observer';

const MONTH_MS = 30 * 24 * 3600 * 1000;

describe('delayed delivery', () => {
  let world: TestServiceWorld;
  let db: Client;
  let app: INestApplication;
  let outbox: Outbox;
  let dataSource: DataSource;

  beforeAll(async () => {
    // The fallback poll is an hour away: whatever is sent on time was woken by a notification or the due-time timer.
    world = await timerWorld({ OUTBOX_POLL_MS: '3600000' });
    app = await world.startReplica();
    outbox = app.get(Outbox);
    dataSource = app.get<DataSource>(getDataSourceToken());
    db = await connectTo(world.env);
  });

  afterAll(async () => {
    await db?.end();
    await world?.stop();
  });

  const scheduleReminder = (reminderId: string, due: { delay?: number; deliverAt?: Date }) =>
    dataSource.transaction((manager) => outbox.publish(manager, ReminderDue, { reminderId }, { subject: reminderId, ...due }));
  const cancel = (eventId: string) => dataSource.transaction((manager) => outbox.cancelScheduled(manager, eventId));
  const scheduled = () => new OutboxBacklog(runSqlOn(db), 'timers').scheduled();
  const isPublished = async (eventId: string) => (await countRows(db, 'SELECT count(*) FROM timers.outbox_messages WHERE event_id = $1 AND published_at IS NOT NULL', [eventId])) === 1;
  /** The database clock moved on by a month, for these rows only. */
  const monthPasses = async (eventId: string) => {
    await db.query(`UPDATE timers.outbox_messages SET deliver_at = deliver_at - interval '30 days', available_at = available_at - interval '30 days' WHERE event_id = $1`, [eventId]);
    await db.query(`SELECT pg_notify('outbox_timers', '')`);
  };

  it('a one-month timer is stored, listed with its due time, cancellable, and fires once when its month has passed', async () => {
    const observer = await observeTopic(world.config, ReminderDue);
    try {
      const kept = await scheduleReminder('month-kept', { delay: MONTH_MS });
      const cancelled = await scheduleReminder('month-cancelled', { delay: MONTH_MS });
      await app.get(OutboxRelay).drain();
      expect(await isPublished(kept.id)).toBe(false);

      const listed = await scheduled();
      expect(listed.map((event) => event.eventId)).toEqual(expect.arrayContaining([kept.id, cancelled.id]));
      const keptEntry = listed.find((event) => event.eventId === kept.id);
      expect(keptEntry).toMatchObject({ type: ReminderDue.type, subject: 'month-kept', destination: 'topic' });
      expect(keptEntry?.dueInSeconds).toBeGreaterThan(MONTH_MS / 1000 - 60);
      expect(keptEntry?.dueInSeconds).toBeLessThanOrEqual(MONTH_MS / 1000);

      expect(await cancel(cancelled.id)).toBe(true);
      expect(await cancel(cancelled.id)).toBe(false);
      expect((await scheduled()).map((event) => event.eventId)).not.toContain(cancelled.id);

      await monthPasses(kept.id);
      await monthPasses(cancelled.id);
      await waitFor(() => isPublished(kept.id), { what: 'the month-old timer to be sent' });
      await app.get(OutboxRelay).drain();
      const delivered = (await observer.untilQuiet()).map((message) => JSON.parse(message.Body ?? '{}').id);
      expect(delivered).toEqual([kept.id]);
      await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM timers.timer_effects WHERE event_id = $1', [kept.id])) === 1, { what: 'the reminder to be handled' });
      expect(await scheduled()).toEqual([]);
    } finally {
      observer.close();
    }
  });

  it('a timer of a few seconds is sent by the due-time timer, not before its due time by the database clock', async () => {
    const reminder = await scheduleReminder('soon', { delay: 1500 });
    await waitFor(() => isPublished(reminder.id), { what: 'the timer to fire on its own', timeoutMs: 15_000 });
    const { rows } = await db.query<{ on_time: boolean }>('SELECT published_at >= deliver_at AS on_time FROM timers.outbox_messages WHERE event_id = $1', [reminder.id]);
    expect(rows[0].on_time).toBe(true);
  });

  it('an instant already past is sent at once', async () => {
    const reminder = await scheduleReminder('past', { deliverAt: new Date(Date.now() - 60_000) });
    await waitFor(() => isPublished(reminder.id), { what: 'the overdue event to be sent' });
  });

  it('rescheduling moves the due time; once sent, neither reschedule nor cancel takes effect', async () => {
    const reminder = await scheduleReminder('moved', { delay: MONTH_MS });
    expect(await dataSource.transaction((manager) => outbox.reschedule(manager, reminder.id, { delay: 200 }))).toBe(true);
    await waitFor(() => isPublished(reminder.id), { what: 'the rescheduled event to be sent' });
    expect(await dataSource.transaction((manager) => outbox.reschedule(manager, reminder.id, { delay: MONTH_MS }))).toBe(false);
    expect(await cancel(reminder.id)).toBe(false);
  });

  it('a reschedule rolled back with its transaction leaves the due time as it was', async () => {
    const reminder = await scheduleReminder('rolled-back', { delay: MONTH_MS });
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.reschedule(manager, reminder.id, { delay: 0 });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const entry = (await scheduled()).find((event) => event.eventId === reminder.id);
    expect(entry?.dueInSeconds).toBeGreaterThan(MONTH_MS / 1000 - 60);
  });

  it("an event for the service's own queue reaches its own consumer without any topic", async () => {
    const wakeUp = await dataSource.transaction((manager) =>
      outbox.publish(manager, WakeUpDue, { reminderId: 'self' }, { subject: 'self', delay: 300, destination: 'own-queue' }),
    );
    await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM timers.timer_effects WHERE event_id = $1', [wakeUp.id])) === 1, {
      what: 'the wake-up to be handled by the service itself',
    });
    // WakeUpDue has no topic this service publishes to: only its own queue can carry it.
    await expect(dataSource.transaction((manager) => outbox.publish(manager, WakeUpDue, { reminderId: 'x' }, { subject: 'x' }))).rejects.toBeInstanceOf(InvalidEventError);
  });

  it('refuses a due time given twice or a negative delay', async () => {
    await expect(scheduleReminder('both', { delay: 10, deliverAt: new Date() })).rejects.toBeInstanceOf(InvalidEventError);
    await expect(scheduleReminder('negative', { delay: -1 })).rejects.toBeInstanceOf(InvalidEventError);
  });
});
