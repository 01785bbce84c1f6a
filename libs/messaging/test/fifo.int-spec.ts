import { Outbox } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { connectTo, countRows } from './support/database';
import { GadgetMoved, gadgetWorld } from './support/gadget-service';
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
