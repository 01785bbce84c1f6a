import { InvalidEventError, Outbox, OutboxRelay, type OutgoingEvent } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { connectTo, countRows } from './support/database';
import { GadgetMoved, gadgetWorld } from './support/gadget-service';
import { refusingEntries, type EntryVerdict, type RefusalLog } from './support/test-transports';
import type { TestServiceWorld } from './support/test-service-world';

describe.each(['message', 'batch'] as const)('FIFO contracts, CONSUMER_TRANSACTION=%s', (mode) => {
  let world: TestServiceWorld;
  let db: Client;

  beforeAll(async () => {
    world = await gadgetWorld({ CONSUMER_TRANSACTION: mode });
    db = await connectTo(world.env);
  });

  afterAll(async () => {
    await db?.end();
    await world?.stop();
  });

  it('two replicas relay and consume every group strictly in order, groups in parallel', async () => {
    const [first] = [await world.startReplica(), await world.startReplica()];
    const outbox = first.get(Outbox);
    const dataSource = first.get<DataSource>(getDataSourceToken());
    const groups = ['g-a', 'g-b', 'g-c', 'g-d'];
    const movesPerGroup = 25;
    // Interleaved across groups and spread over many transactions, as concurrent requests would be.
    for (let seq = 0; seq < movesPerGroup; seq++) {
      await dataSource.transaction(async (manager) => {
        for (const gadgetId of groups) await outbox.publish(manager, GadgetMoved, { gadgetId, seq }, { subject: gadgetId });
      });
    }
    const total = groups.length * movesPerGroup;
    await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM gadgets.gadget_moves')) === total || undefined, {
      what: `${total} moves to be applied`,
      timeoutMs: 45_000,
    });
    for (const gadgetId of groups) {
      const { rows } = await db.query<{ seq: number }>('SELECT seq FROM gadgets.gadget_moves WHERE gadget_id = $1 ORDER BY id', [gadgetId]);
      expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: movesPerGroup }, (_, i) => i));
    }
  });
});

describe('FIFO relay', () => {
  let world: TestServiceWorld;
  let db: Client;
  let refuse: (event: OutgoingEvent) => EntryVerdict = () => undefined;
  const log: RefusalLog = { calls: [], accepted: [], refused: [] };
  const moveOf = (body: string) => (JSON.parse(body) as { data: { gadgetId: string; seq: number } }).data;

  beforeAll(async () => {
    world = await gadgetWorld({ OUTBOX_RETRY_BASE_MS: '120000' }, (transport) => refusingEntries(transport, (event) => refuse(event), log));
    db = await connectTo(world.env);
  });

  afterAll(async () => {
    await db?.end();
    await world?.stop();
  });

  it('regression: a refused entry in the middle of a group holds back only that group, which then goes on in order', async () => {
    const app = await world.startReplica();
    const outbox = app.get(Outbox);
    const dataSource = app.get<DataSource>(getDataSourceToken());
    let refusedOnce = false;
    refuse = (event) => {
      const move = moveOf(event.body);
      if (move.gadgetId !== 'held' || move.seq !== 2 || refusedOnce) return undefined;
      refusedOnce = true;
      return { code: 'InternalError', message: 'try again' };
    };
    await dataSource.transaction(async (manager) => {
      for (let seq = 0; seq < 5; seq++) {
        for (const gadgetId of ['held', 'free']) await outbox.publish(manager, GadgetMoved, { gadgetId, seq }, { subject: gadgetId });
      }
    });
    const stateOf = async (gadgetId: string) =>
      (
        await db.query<{ state: string }>(
          `SELECT CASE WHEN published_at IS NOT NULL THEN 'sent' WHEN available_at > now() + interval '30 seconds' AND leased_until IS NULL THEN 'backing off' ELSE 'waiting' END AS state
           FROM gadgets.outbox_messages WHERE group_key = $1 ORDER BY id`,
          [gadgetId],
        )
      ).rows.map((row) => row.state);
    await waitFor(async () => ((await stateOf('free')).every((state) => state === 'sent') && (await stateOf('held'))[2] === 'backing off') || undefined, {
      what: 'the free group sent and the held one stopped at its refused move',
    });
    await app.get(OutboxRelay).drain();
    expect(await stateOf('held')).toEqual(['sent', 'sent', 'backing off', 'waiting', 'waiting']);
    // Nothing after the refused move was even offered to the broker.
    expect(log.calls.flatMap((call) => call.events.map((event) => moveOf(event.body))).filter((move) => move.gadgetId === 'held').map((move) => move.seq)).toEqual([0, 1, 2]);

    await db.query(`UPDATE gadgets.outbox_messages SET available_at = now() WHERE group_key = 'held' AND published_at IS NULL AND leased_until IS NULL AND available_at IS NOT NULL`);
    await app.get(OutboxRelay).drain();
    await waitFor(async () => (await stateOf('held')).every((state) => state === 'sent') || undefined, { what: 'the held group to go on' });
    expect(log.accepted.map(moveOf).filter((move) => move.gadgetId === 'held').map((move) => move.seq)).toEqual([0, 1, 2, 3, 4]);
    await waitFor(async () => (await countRows(db, `SELECT count(*) FROM gadgets.gadget_moves WHERE gadget_id = 'held'`)) === 5 || undefined, { what: 'every held move applied' });
    const { rows } = await db.query<{ seq: number }>(`SELECT seq FROM gadgets.gadget_moves WHERE gadget_id = 'held' ORDER BY id`);
    expect(rows.map((row) => row.seq)).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses at publish a subject SNS would refuse as a message group id, naming the rule', async () => {
    const app = await world.startReplica();
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const publish = (subject: string) => dataSource.transaction((manager) => app.get(Outbox).publish(manager, GadgetMoved, { gadgetId: 'g', seq: 0 }, { subject }));
    await expect(publish('g'.repeat(129))).rejects.toThrow(/FIFO.*129 characters.*at most 128/);
    await expect(publish('has space')).rejects.toBeInstanceOf(InvalidEventError);
    await expect(publish('g'.repeat(128))).resolves.toMatchObject({ subject: 'g'.repeat(128) });
  });
});
