import type { Client } from 'pg';
import { connectTo } from './support/database';
import type { TestServiceWorld } from './support/test-service-world';
import { widgetWorld } from './support/widget-service';

describe('outbox claim query', () => {
  let world: TestServiceWorld;
  let db: Client;

  beforeAll(async () => {
    world = await widgetWorld();
    await (await world.startReplica()).close(); // migrates the schema
    db = await connectTo(world.env);
  });

  afterAll(async () => {
    await db?.end();
    await world?.stop();
  });

  it('stays an index scan of the unpublished rows with many published rows in the table', async () => {
    await db.query(`
      INSERT INTO widgets.outbox_messages (event_id, type, topic, envelope, published_at)
      SELECT gen_random_uuid(), 'test.widget.created.v1', 'widgets', '{}'::jsonb, now() - interval '1 hour'
      FROM generate_series(1, 200000)`);
    await db.query(`
      INSERT INTO widgets.outbox_messages (event_id, type, topic, envelope)
      SELECT gen_random_uuid(), 'test.widget.created.v1', 'widgets', '{}'::jsonb FROM generate_series(1, 50)`);
    await db.query('ANALYZE widgets.outbox_messages');

    const { rows } = await db.query(`
      EXPLAIN (FORMAT JSON)
      SELECT id FROM widgets.outbox_messages
      WHERE published_at IS NULL AND group_key IS NULL ORDER BY id LIMIT 40 FOR UPDATE SKIP LOCKED`);
    const plan = JSON.stringify(rows[0]['QUERY PLAN']);
    expect(plan).toContain('outbox_unpublished_idx');
    expect(plan).not.toContain('Seq Scan');
  });
});
