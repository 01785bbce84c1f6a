import { MessagingMetrics, Outbox, OutboxBacklog, OutboxRelay, runSqlOn, type OutgoingEvent } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { connectTo, countRows } from './support/database';
import { refusingEntries, type EntryVerdict, type RefusalLog } from './support/test-transports';
import type { TestServiceWorld } from './support/test-service-world';
import { observeTopic } from './support/topic-observer';
import { WidgetCreated, widgetWorld } from './support/widget-service';

const widgetIdOf = (event: OutgoingEvent) => (JSON.parse(event.body) as { data: { widgetId: string } }).data.widgetId;

describe('relay: rows the broker refuses', () => {
  let world: TestServiceWorld;
  let db: Client;
  let app: INestApplication;
  let relay: OutboxRelay;
  let metrics: MessagingMetrics;
  let verdict: (event: OutgoingEvent) => EntryVerdict = () => undefined;
  const log: RefusalLog = { calls: [], accepted: [], refused: [] };

  beforeAll(async () => {
    // A minute's backoff at least: nothing comes back on its own while a test looks; the tests move the clock.
    world = await widgetWorld({ OUTBOX_MAX_ATTEMPTS: '3', OUTBOX_RETRY_BASE_MS: '120000' }, (transport) => refusingEntries(transport, (event) => verdict(event), log));
    app = await world.startReplica();
    relay = app.get(OutboxRelay);
    metrics = app.get(MessagingMetrics);
    db = await connectTo(world.env);
  });

  afterEach(() => {
    verdict = () => undefined;
  });

  afterAll(async () => {
    await db?.end();
    await world?.stop();
  });

  const publish = (prefix: string, count: number) =>
    app.get<DataSource>(getDataSourceToken()).transaction(async (manager) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push((await app.get(Outbox).publish(manager, WidgetCreated, { widgetId: `${prefix}-${i}`, label: 'x' }, { subject: `${prefix}-${i}` })).id);
      return ids;
    });
  const rowsOf = async (ids: string[]) =>
    (
      await db.query<{ event_id: string; attempts: number; published: boolean; parked: boolean; backing_off: boolean; last_error: string | null }>(
        `SELECT event_id, attempts, published_at IS NOT NULL AS published, parked_at IS NOT NULL AS parked,
                available_at > now() + interval '30 seconds' AND leased_until IS NULL AS backing_off, last_error
         FROM widgets.outbox_messages WHERE event_id = ANY($1::uuid[]) ORDER BY id`,
        [ids],
      )
    ).rows;
  /** The database clock moves past these rows' backoff. */
  const backoffPasses = async (ids: string[]) => {
    await db.query(`UPDATE widgets.outbox_messages SET available_at = now() WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL AND parked_at IS NULL AND leased_until IS NULL`, [ids]);
    await relay.drain();
  };
  const settled = (ids: string[]) =>
    waitFor(async () => ((await rowsOf(ids)).every((row) => row.published || row.parked || row.backing_off) ? true : undefined), { what: 'every row sent, parked or backing off' });
  const callsFor = (prefix: string) => log.calls.filter((call) => call.events.some((event) => widgetIdOf(event).startsWith(`${prefix}-`))).length;
  const claimsWithRows = async () => (await metrics.relayClaims.get()).values.find((value) => value.labels.result === 'rows')?.value ?? 0;

  it('regression: an entry PublishBatch returns as Failed backs off alone while the rest of its batch is published', async () => {
    let refusedOnce = false;
    verdict = (event) => {
      if (widgetIdOf(event) !== 'partial-2' || refusedOnce) return undefined;
      refusedOnce = true;
      return { code: 'InternalError', message: 'try again' };
    };
    const observer = await observeTopic(world.config, WidgetCreated, 'partial-observer');
    try {
      const ids = await publish('partial', 5);
      await settled(ids);
      const rows = await rowsOf(ids);
      expect(rows.map((row) => row.published)).toEqual([true, true, false, true, true]);
      expect(rows[2]).toMatchObject({ attempts: 1, backing_off: true, last_error: 'InternalError: try again' });

      await backoffPasses([ids[2]]);
      await waitFor(async () => (await rowsOf(ids)).every((row) => row.published) || undefined, { what: 'the refused row to go on its second attempt' });
      await relay.drain();
      const delivered = (await observer.untilQuiet()).map((message) => JSON.parse(message.Body ?? '{}').id);
      expect(delivered.sort()).toEqual([...ids].sort());
    } finally {
      observer.close();
    }
  });

  it('regression: ten refused rows do not spin: each is claimed once, then waits for its backoff', async () => {
    verdict = (event) => (widgetIdOf(event).startsWith('spin-') ? { code: 'InternalError', message: 'SNS is having a moment' } : undefined);
    const claimsBefore = await claimsWithRows();
    const ids = await publish('spin', 10);
    await settled(ids);
    await relay.drain();
    await relay.drain();
    expect((await rowsOf(ids)).map((row) => [row.attempts, row.backing_off])).toEqual(ids.map(() => [1, true]));
    expect(callsFor('spin')).toBe(1);
    expect((await claimsWithRows()) - claimsBefore).toBe(1);

    await backoffPasses(ids);
    await settled(ids);
    expect(callsFor('spin')).toBe(2);
    expect((await rowsOf(ids)).every((row) => row.attempts === 2 && row.backing_off)).toBe(true);

    verdict = () => undefined;
    await backoffPasses(ids);
    await waitFor(async () => (await rowsOf(ids)).every((row) => row.published) || undefined, { what: 'the rows to go once the broker takes them' });
  });

  it('a row out of attempts is parked with its reason, counted, shown in the backlog, and sent once released', async () => {
    verdict = (event) => (widgetIdOf(event) === 'tired-0' ? { code: 'KMSThrottling', message: 'still throttled' } : undefined);
    const [id] = await publish('tired', 1);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await waitFor(async () => ((await rowsOf([id]))[0].attempts === attempt ? true : undefined), { what: `attempt ${attempt}` });
      await backoffPasses([id]);
    }
    const [parked] = await rowsOf([id]);
    expect(parked).toMatchObject({ attempts: 3, parked: true, published: false, last_error: 'KMSThrottling: still throttled' });
    await waitFor(async () => ((await metrics.outboxParked.get()).values[0]?.value === 1 ? true : undefined), { what: 'the parked gauge' });
    expect((await metrics.outboxParkedTotal.get()).values).toEqual([expect.objectContaining({ value: 1, labels: { type: WidgetCreated.type, cause: 'attempts' } })]);

    const backlog = new OutboxBacklog(runSqlOn(db), 'widgets');
    expect(await backlog.summary()).toMatchObject({ parked: 1, lastError: 'KMSThrottling: still throttled' });
    expect(await backlog.parked()).toEqual([expect.objectContaining({ eventId: id, attempts: 3, reason: 'KMSThrottling: still throttled', subject: 'tired-0' })]);
    // A parked row stays out of the relay's way: nothing is claimed for it any more.
    const callsBefore = callsFor('tired');
    await relay.drain();
    expect(callsFor('tired')).toBe(callsBefore);

    verdict = () => undefined;
    expect(await backlog.release({ eventId: id })).toBe(1);
    await waitFor(async () => ((await rowsOf([id]))[0].published ? true : undefined), { what: 'the released row to be sent' });
    expect(await backlog.summary()).toMatchObject({ parked: 0, pending: 0 });
    expect(await backlog.release({ eventId: id })).toBe(0);
  });

  it('regression: an entry refused as an invalid parameter is parked at once, and the rest keep flowing', async () => {
    verdict = (event) => (widgetIdOf(event) === 'invalid-1' ? { code: 'InvalidParameter', message: 'Invalid parameter: Message' } : undefined);
    const ids = await publish('invalid', 3);
    await settled(ids);
    const rows = await rowsOf(ids);
    expect(rows.map((row) => [row.published, row.parked])).toEqual([
      [true, false],
      [false, true],
      [true, false],
    ]);
    expect(rows[1]).toMatchObject({ attempts: 1, last_error: 'InvalidParameter: Invalid parameter: Message' });
    expect((await metrics.outboxParkedTotal.get()).values).toEqual(expect.arrayContaining([expect.objectContaining({ value: 1, labels: { type: WidgetCreated.type, cause: 'refused' } })]));
    expect(await new OutboxBacklog(runSqlOn(db), 'widgets').release({ all: true })).toBe(1);
    await settled(ids);
    expect((await rowsOf(ids))[1]).toMatchObject({ parked: true, attempts: 1 });
  });

  it('regression: a call refused whole for an invalid parameter is tried entry by entry, parking only the entry at fault', async () => {
    await world.stop();
    const wholeCallLog: RefusalLog = { calls: [], accepted: [], refused: [] };
    world = await widgetWorld({}, (transport) => ({
      maxBatchSize: transport.maxBatchSize,
      maxBatchBytes: transport.maxBatchBytes,
      async publishBatch(destination, events) {
        wholeCallLog.calls.push({ destination, events });
        if (events.some((event) => widgetIdOf(event) === 'whole-3')) {
          throw Object.assign(new Error('Invalid parameter: MessageAttributes'), { name: 'InvalidParameterException' });
        }
        return transport.publishBatch(destination, events);
      },
    }));
    await db.end();
    db = await connectTo(world.env);
    app = await world.startReplica();
    relay = app.get(OutboxRelay);
    const ids = await publish('whole', 5);
    await settled(ids);
    expect((await rowsOf(ids)).map((row) => (row.published ? 'sent' : row.parked ? 'parked' : 'pending'))).toEqual(['sent', 'sent', 'sent', 'parked', 'sent']);
    expect((await rowsOf(ids))[3].last_error).toBe('InvalidParameterException: Invalid parameter: MessageAttributes');
    expect(wholeCallLog.calls.filter((call) => call.events.length === 1)).toHaveLength(5);
  });
});

describe('relay: connections', () => {
  it('regression: the relay holds no transaction and no pool connection while the broker has the batch', async () => {
    let db: Client | undefined;
    let checkedOut: (() => number) | undefined;
    const observations: { idleInTransaction: number; checkedOut: number }[] = [];
    const world = await widgetWorld({ OUTBOX_BATCHES_IN_FLIGHT: '1' }, (transport) => ({
      maxBatchSize: transport.maxBatchSize,
      maxBatchBytes: transport.maxBatchBytes,
      async publishBatch(destination, events) {
        if (db && checkedOut && observations.length === 0) {
          // Other work of the service (a metrics query) may hold a connection for a moment; the relay's
          // own would stay checked out, and idle in transaction, for as long as this call lasts.
          const observed = await waitFor(
            async () => {
              const idleInTransaction = await countRows(db as Client, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'widgets' AND state = 'idle in transaction' AND datname = current_database()`);
              const observation = { idleInTransaction, checkedOut: (checkedOut as () => number)() };
              return observation.idleInTransaction === 0 && observation.checkedOut === 0 ? observation : undefined;
            },
            { what: 'no connection of the service in use during the call', timeoutMs: 5000 },
          ).catch(() => ({ idleInTransaction: -1, checkedOut: -1 }));
          observations.push(observed);
        }
        return transport.publishBatch(destination, events);
      },
    }));
    try {
      db = await connectTo(world.env);
      const app = await world.startReplica();
      const pool = (app.get<DataSource>(getDataSourceToken()).driver as unknown as { master: { totalCount: number; idleCount: number } }).master;
      checkedOut = () => pool.totalCount - pool.idleCount;
      await app.get<DataSource>(getDataSourceToken()).transaction((manager) => app.get(Outbox).publish(manager, WidgetCreated, { widgetId: 'no-hold', label: 'x' }, { subject: 'no-hold' }));
      await waitFor(async () => (await countRows(db as Client, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NOT NULL')) === 1 || undefined, { what: 'the row to be published' });
      expect(observations).toEqual([{ idleInTransaction: 0, checkedOut: 0 }]);
    } finally {
      await db?.end();
      await world.stop();
    }
  });
});
