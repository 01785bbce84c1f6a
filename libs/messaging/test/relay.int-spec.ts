import { MessagingMetrics, migrateDataSource, Outbox, OutboxRelay, serviceDataSourceOptions, type EventTransport } from '@app/messaging';
import { BOOKKEEPING_COMMIT } from '../src/database/bookkeeping-commit';
import { waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import { connectTo, countRows, recordStatements } from './support/database';
import { answeringAfter, enforcingSnsLimits, type TransportCalls } from './support/test-transports';
import { observeTopic } from './support/topic-observer';
import type { TestServiceWorld as WidgetWorld } from './support/test-service-world';
import { WidgetCreated, widgetDatabase, widgetTopology, widgetWorld } from './support/widget-service';

async function publishWidgets(app: INestApplication, prefix: string, count: number): Promise<string[]> {
  const outbox = app.get(Outbox);
  const dataSource = app.get<DataSource>(getDataSourceToken());
  return dataSource.transaction(async (manager) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const envelope = await outbox.publish(manager, WidgetCreated, { widgetId: `${prefix}-${i}`, label: 'relay' }, { subject: `${prefix}-${i}` });
      ids.push(envelope.id);
    }
    return ids;
  });
}

async function publishLargeWidgets(app: INestApplication, prefix: string, count: number, labelBytes: number): Promise<string[]> {
  const outbox = app.get(Outbox);
  return app.get<DataSource>(getDataSourceToken()).transaction(async (manager) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await outbox.publish(manager, WidgetCreated, { widgetId: `${prefix}-${i}`, label: 'x'.repeat(labelBytes) }, { subject: `${prefix}-${i}` })).id);
    return ids;
  });
}

/** Relay claims that found rows, by the relay's own metric. */
async function claimsWithRows(app: INestApplication): Promise<number> {
  return (await app.get(MessagingMetrics).relayClaims.get()).values.find((value) => value.labels.result === 'rows')?.value ?? 0;
}

async function publishedCount(app: INestApplication): Promise<number> {
  const metric = await app.get(MessagingMetrics).published.get();
  return metric.values.reduce((sum, value) => sum + value.value, 0);
}

describe('outbox relay', () => {
  let world: WidgetWorld;
  let db: Client;

  beforeEach(async () => {
    world = await widgetWorld();
    db = await connectTo(world.env);
  });

  afterEach(async () => {
    await db?.end();
    await world?.stop();
  });

  it('two relays racing over the same outbox send every event exactly once', async () => {
    const [first, second] = [await world.startReplica(), await world.startReplica()];
    const observer = await observeTopic(world.config, WidgetCreated);
    try {
      const ids = await publishWidgets(first, 'race', 300);
      await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')) === 0 || undefined, {
        what: 'all 300 rows to be published',
        timeoutMs: 30_000,
      });
      // Quiescence first (both relays idle, the queue empty for a long poll), so a late duplicate counts.
      await Promise.all([first.get(OutboxRelay).drain(), second.get(OutboxRelay).drain()]);
      const delivered = (await observer.untilQuiet()).map((message) => JSON.parse(message.Body ?? '{}').id);
      expect(delivered).toHaveLength(ids.length);
      expect(new Set(delivered)).toEqual(new Set(ids));
      expect((await publishedCount(first)) + (await publishedCount(second))).toBe(300);
      expect(await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')).toBe(0);
    } finally {
      observer.close();
    }
  });

  it('commits arriving while the relay is busy are sent on their notifications, without waiting for the poll', async () => {
    // The poll would come only after the deadline: every row must go out on a NOTIFY, and with one
    // loop, a notification during its claim must make it claim again.
    const app = await world.startReplica({ OUTBOX_POLL_MS: '3600000', OUTBOX_BATCHES_IN_FLIGHT: '1' });
    const streams = await Promise.all(
      Array.from({ length: 5 }, async (_, stream) => {
        const ids: string[] = [];
        for (let commit = 0; commit < 20; commit++) ids.push(...(await publishWidgets(app, `busy-${stream}-${commit}`, 1 + (commit % 3))));
        return ids;
      }),
    );
    const total = streams.flat().length;
    await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NOT NULL')) === total || undefined, {
      what: `all ${total} rows to be published`,
      timeoutMs: 15_000,
    });
    expect(await publishedCount(app)).toBe(total);
  });

  describe('waking relays after commit', () => {
    let listener: Client;
    let notifications = 0;

    beforeEach(async () => {
      notifications = 0;
      listener = await connectTo(world.env);
      listener.on('notification', () => (notifications += 1));
      await listener.query('LISTEN "outbox_widgets"');
    });

    afterEach(async () => {
      await listener?.end();
    });

    /** Every notification sent before now has reached the listener: the server delivers them before answering. */
    const notificationsSoFar = async () => {
      await listener.query('SELECT 1');
      return notifications;
    };

    it('regression: a relaying service wakes its own relay in-process and sends no NOTIFY, so its commits do not serialise on it', async () => {
      const app = await world.startReplica({ OUTBOX_POLL_MS: '3600000' });
      const ids: string[] = [];
      for (let commit = 0; commit < 20; commit++) ids.push(...(await publishWidgets(app, `in-process-${commit}`, 1)));
      await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')) === 0 || undefined, {
        what: 'every commit relayed without a poll',
      });
      expect(await notificationsSoFar()).toBe(0);
    });

    it('a replica that does not relay wakes the relaying ones with NOTIFYs, fewer than its commits', async () => {
      await world.startReplica({ OUTBOX_POLL_MS: '3600000' });
      const writer = await world.startReplica({ OUTBOX_RELAY_ENABLED: 'false', OUTBOX_NOTIFY_MS: '1000' });
      for (let commit = 0; commit < 20; commit++) await publishWidgets(writer, `api-only-${commit}`, 1);
      await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')) === 0 || undefined, {
        what: 'the relaying replica to send what the other wrote',
      });
      const sent = await notificationsSoFar();
      expect(sent).toBeGreaterThanOrEqual(1);
      expect(sent).toBeLessThan(20);
    });

    it('a writer outside the library (a script, an older release) still wakes the relays through the insert trigger', async () => {
      await world.startReplica({ OUTBOX_POLL_MS: '3600000' });
      await db.query(`INSERT INTO widgets.outbox_messages (event_id, type, topic, envelope)
        VALUES (gen_random_uuid(), 'test.widget.created.v1', 'widgets', json_build_object('specversion', '1.0', 'id', gen_random_uuid(), 'source', '/script', 'type', 'test.widget.created.v1',
          'time', now(), 'datacontenttype', 'application/json', 'data', json_build_object('widgetId', 'scripted', 'label', 'x'), 'correlationid', 'script'))`);
      await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')) === 0 || undefined, {
        what: 'the scripted row to be relayed on its notification',
      });
      expect(await notificationsSoFar()).toBe(1);
    });
  });

  it('a commit whose notification was lost is sent by the fallback poll', async () => {
    const app = await world.startReplica({ OUTBOX_POLL_MS: '300' });
    const observer = await observeTopic(world.config, WidgetCreated);
    try {
      // Kill the relay's LISTEN connection: NOTIFYs of the next commit go nowhere.
      await waitFor(async () => (await countRows(db, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'widgets-outbox-listener' AND datname = current_database()`)) === 1, {
        what: 'the relay to be listening',
      });
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'widgets-outbox-listener' AND datname = current_database()`);
      const [id] = await publishWidgets(app, 'lost-notify', 1);
      const seen = await waitFor(async () => {
        const messages = await observer.receive();
        return messages.length > 0 ? messages : undefined;
      }, { what: 'the event to be relayed by the poll' });
      expect(JSON.parse(seen[0].Body ?? '{}').id).toBe(id);
    } finally {
      observer.close();
    }
  });

  it('rows committed while no relay ran (the process died after commit) are sent when a relay starts', async () => {
    // The "crashed" writer: the same schema and Outbox, but no relay process at all.
    const writer = new DataSource(serviceDataSourceOptions(world.config.database, widgetDatabase, 'crashed-writer'));
    await writer.initialize();
    await migrateDataSource(writer);
    const outbox = new Outbox({ topology: widgetTopology, config: world.config });
    const ids = await writer.transaction(async (manager) => {
      const published: string[] = [];
      for (const n of [1, 2, 3]) {
        published.push((await outbox.publish(manager, WidgetCreated, { widgetId: `orphan-${n}`, label: 'x' }, { subject: `orphan-${n}` })).id);
      }
      return published;
    });
    await writer.destroy();
    expect(await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')).toBe(3);

    const observer = await observeTopic(world.config, WidgetCreated);
    try {
      await world.startReplica();
      const seen = await waitFor(async () => {
        const messages = await observer.receive();
        return messages.length >= 3 ? messages : undefined;
      }, { what: 'the orphaned events to be relayed' });
      expect(new Set(seen.map((message) => JSON.parse(message.Body ?? '{}').id))).toEqual(new Set(ids));
    } finally {
      observer.close();
    }
  });

  it('regression: the database dropping the relay\'s connections while a batch is at SNS does not end the process', async () => {
    await world.stop();
    let dropped = false;
    // Every connection of the service is terminated while the relay waits on SNS: the one it
    // records the outcome on comes from a pool whose connections are all gone.
    const dropConnectionsOnFirstSend = (transport: EventTransport): EventTransport => ({
      maxBatchSize: transport.maxBatchSize,
      maxBatchBytes: transport.maxBatchBytes,
      async publishBatch(topic, events) {
        if (!dropped) {
          dropped = true;
          const service = `FROM pg_stat_activity WHERE application_name = 'widgets' AND datname = current_database()`;
          await db.query(`SELECT pg_terminate_backend(pid) ${service}`);
          await waitFor(async () => (await countRows(db, `SELECT count(*) ${service}`)) === 0 || undefined, { what: 'the backends to go' });
        }
        return transport.publishBatch(topic, events);
      },
    });
    world = await widgetWorld({ OUTBOX_BATCHES_IN_FLIGHT: '1' }, dropConnectionsOnFirstSend);
    await db.end();
    db = await connectTo(world.env);
    const app = await world.startReplica();
    const ids = await publishWidgets(app, 'dropped', 5);
    await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NOT NULL')) === ids.length || undefined, {
      what: 'every row to be published after the dropped connection',
      timeoutMs: 15_000,
    });
    expect(dropped).toBe(true);
  });

  it('regression: ten rows adding up to more than 256 KiB are relayed in calls SNS accepts (batches cut by bytes, not count)', async () => {
    await world.stop();
    const seen: TransportCalls = { calls: [] };
    world = await widgetWorld({}, (transport) => enforcingSnsLimits(transport, seen));
    await db.end();
    db = await connectTo(world.env);
    const app = await world.startReplica();
    const observer = await observeTopic(world.config, WidgetCreated);
    try {
      // Committed together, so one claim takes all ten: 300 KiB, over one PublishBatch.
      const ids = await publishLargeWidgets(app, 'large', 10, 30 * 1024);
      await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')) === 0 || undefined, {
        what: 'every large row to be published',
      });
      await app.get(OutboxRelay).drain();
      const delivered = (await observer.untilQuiet()).map((message) => JSON.parse(message.Body ?? '{}').id);
      expect(delivered.sort()).toEqual([...ids].sort());
      expect(seen.calls.length).toBeGreaterThanOrEqual(2);
      expect(await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE last_error IS NOT NULL')).toBe(0);
    } finally {
      observer.close();
    }
  });

  it('a relay dying mid-batch, after SNS took the events but before it recorded them, loses nothing and doubles no effect', async () => {
    await world.stop();
    let calls = 0;
    // The third batch reaches SNS, then the relay "dies": its transaction never commits.
    const dieAfterThirdSend = (transport: EventTransport): EventTransport => ({
      maxBatchSize: transport.maxBatchSize,
      maxBatchBytes: transport.maxBatchBytes,
      async publishBatch(topic, events) {
        const outcome = await transport.publishBatch(topic, events);
        calls += 1;
        if (calls === 3) throw new Error('relay process killed mid-batch');
        return outcome;
      },
    });
    world = await widgetWorld({ OUTBOX_BATCHES_IN_FLIGHT: '1' }, dieAfterThirdSend);
    await db.end();
    db = await connectTo(world.env);
    const app = await world.startReplica();
    const observer = await observeTopic(world.config, WidgetCreated);
    try {
      const ids = await publishWidgets(app, 'killed', 50);
      await waitFor(async () => {
        const messages = await observer.receive();
        return new Set(messages.map((message) => JSON.parse(message.Body ?? '{}').id)).size >= ids.length ? messages : undefined;
      }, { what: 'every event on the observer queue', timeoutMs: 30_000 });
      // The dead batch goes out again once the relay's pause ends, possibly after the other rounds sent the rest.
      const seen = await observer.untilQuiet();
      expect(calls).toBeGreaterThan(3);
      expect(seen.length).toBeGreaterThan(ids.length); // the dead batch went out twice: at-least-once
      await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.widget_effects')) === ids.length || undefined, {
        what: 'one effect per event',
      });
      expect(await countRows(db, 'SELECT count(*) FROM widgets.widget_effects')).toBe(ids.length);
      expect(await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')).toBe(0);
    } finally {
      observer.close();
    }
  });

  it('regression: a burst is leased two waves of calls per statement, each round marked by the next claim, never more calls in flight than allowed', async () => {
    await world.stop();
    const calls = { inFlight: 0, most: 0, total: 0 };
    const countingCalls = (transport: EventTransport): EventTransport => ({
      maxBatchSize: transport.maxBatchSize,
      maxBatchBytes: transport.maxBatchBytes,
      async publishBatch(destination, events) {
        calls.inFlight += 1;
        calls.total += 1;
        calls.most = Math.max(calls.most, calls.inFlight);
        try {
          return await transport.publishBatch(destination, events);
        } finally {
          calls.inFlight -= 1;
        }
      },
    });
    world = await widgetWorld({ OUTBOX_BATCHES_IN_FLIGHT: '4' }, countingCalls);
    await db.end();
    db = await connectTo(world.env);
    const app = await world.startReplica();
    const recorder = recordStatements(app);
    const claimsBefore = await claimsWithRows(app);
    const ids = await publishWidgets(app, 'burst', 400);
    await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')) === 0 || undefined, {
      what: 'all 400 rows to be published',
    });
    await app.get(OutboxRelay).drain();
    recorder.stop();
    const claims = (await claimsWithRows(app)) - claimsBefore;
    // Statements that mark rows published without claiming: what a round costs beyond its claim.
    const markOnly = recorder.statements.filter((text) => /SET published_at = now\(\)/.test(text) && !/FOR UPDATE/.test(text) && /outbox_messages/.test(text));
    // 400 rows at two waves of 4 calls of 10 per claim are 5 claims; one wave per claim would take 10, one row per call 40.
    expect(claims).toBeLessThanOrEqual(7);
    expect(calls.total).toBeGreaterThanOrEqual(40);
    expect(calls.most).toBeLessThanOrEqual(4);
    // Each loop writes its last round's mark alone; every other round's mark rides with a claim.
    expect(markOnly.length).toBeLessThanOrEqual(4);
    expect(await publishedCount(app)).toBeGreaterThanOrEqual(ids.length);
  });

  it('regression: a lease is a heap-only update, adding no index entry; only the mark writes index entries', async () => {
    const app = await world.startReplica();
    const updates = async () => {
      const { rows } = await db.query<{ updated: string; heapOnly: string }>(
        `SELECT n_tup_upd AS updated, n_tup_hot_upd AS "heapOnly" FROM pg_stat_user_tables WHERE schemaname = 'widgets' AND relname = 'outbox_messages'`,
      );
      return { updated: Number(rows[0].updated), heapOnly: Number(rows[0].heapOnly) };
    };
    await app.get(OutboxRelay).drain();
    const before = await updates();
    const ids = await publishWidgets(app, 'heap-only', 200);
    await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')) === 0 || undefined, {
      what: 'all 200 rows to be published',
    });
    // A backend publishes its table counters when it ends (else when idle, up to ten seconds later).
    await app.close();
    // Every row is updated twice: its lease and its mark.
    const after = await waitFor(async () => {
      const now = await updates();
      return now.updated - before.updated >= 2 * ids.length ? now : undefined;
    }, { what: 'the table counters to show every lease and mark' });
    expect(after.heapOnly - before.heapOnly).toBeGreaterThanOrEqual(ids.length);
  });

  it("regression: the relay's bookkeeping commits without waiting for the WAL flush, and the pooled connection stays synchronous for business transactions", async () => {
    // The test database runs asynchronous throughout; production's default is synchronous.
    await db.query('SET synchronous_commit = on');
    const results = (await db.query(`${BOOKKEEPING_COMMIT}; SELECT current_setting('synchronous_commit') AS during`)) as unknown as { rows: { during: string }[] }[];
    expect(results[1].rows[0].during).toBe('off');
    const { rows } = await db.query<{ after: string }>(`SELECT current_setting('synchronous_commit') AS after`);
    expect(rows[0].after).toBe('on');
  });

  it('regression: commits arriving faster than relay rounds are claimed several to a statement, not one claim each (OUTBOX_LINGER_MS)', async () => {
    // Rounds of at least 5 ms, so the commits below come faster than the relay's rounds whatever
    // the machine: against the emulator's sub-millisecond answers a fast relay keeps up with them.
    await world.stop();
    world = await widgetWorld({}, (transport) => answeringAfter(5, transport));
    await db.end();
    db = await connectTo(world.env);
    const claimsWith = async (lingerMs: string): Promise<number> => {
      const app = await world.startReplica({ OUTBOX_LINGER_MS: lingerMs });
      const before = await claimsWithRows(app);
      // One commit after another, as an API under load makes them, each waking the relay.
      for (let i = 0; i < 150; i++) await publishWidgets(app, `stream-${lingerMs}-${i}`, 1);
      await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE published_at IS NULL')) === 0 || undefined, {
        what: 'the stream to be published',
      });
      await app.get(OutboxRelay).drain();
      const made = (await claimsWithRows(app)) - before;
      await app.close();
      return made;
    };
    const lingering = await claimsWith('50');
    // 150 commits at a millisecond or two each, claimed every 50 ms: a handful of claims.
    expect(lingering).toBeLessThanOrEqual(30);
    expect(lingering).toBeLessThan(await claimsWith('0'));
  });
});
