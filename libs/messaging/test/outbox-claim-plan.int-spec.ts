import { defineEvent, defineService, MessagingModule, OutboxBacklog, runSqlOn, type MessagingConfig } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Client } from 'pg';
import { z } from 'zod';
import { fifoClaimSql, nextDueSql, standardClaimSql } from '../src/outbox/outbox-claim';
import { connectTo, countRows } from './support/database';
import { testServiceWorld, type TestServiceWorld } from './support/test-service-world';

/** A service that only publishes, so a burst goes to a topic and no consumer of the spec's works through it. */
const BurstHappened = defineEvent({ type: 'test.burst.happened.v1', topic: 'bursts', schema: z.object({ n: z.int() }) });
const BurstStepped = defineEvent({ type: 'test.burst.stepped.v1', topic: 'burst-steps', fifo: true, schema: z.object({ n: z.int() }) });
const burstTopology = defineService({ service: 'bursts', publishes: [BurstHappened, BurstStepped], consumes: [] });

@Module({})
class BurstModule {
  static forRoot(config: MessagingConfig): DynamicModule {
    return { module: BurstModule, imports: [MessagingModule.forRoot({ topology: burstTopology, config, database: { schema: 'bursts', entities: [], migrations: [] } })] };
  }
}

const TABLE = 'bursts.outbox_messages';
const shape = { table: TABLE, limit: 10, leaseSeconds: 30 };

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** Every scan of the plan, as "Node Type on index-or-table". EXPLAIN of an UPDATE plans it without running it. */
async function scansOf(db: Client, sql: string, params: unknown[] = []): Promise<string[]> {
  const { rows } = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const scans: string[] = [];
  const visit = (node: PlanNode) => {
    if (/Scan/.test(node['Node Type'])) scans.push(`${node['Node Type']} on ${node['Index Name'] ?? node['Relation Name'] ?? '?'}`);
    else if (/Hash/.test(node['Node Type'])) scans.push(node['Node Type']);
    node.Plans?.forEach(visit);
  };
  visit(rows[0]['QUERY PLAN'][0].Plan);
  return scans;
}

async function insertBurst(db: Client, count: number, fifo: boolean): Promise<void> {
  const contract = fifo ? BurstStepped : BurstHappened;
  await db.query(
    `INSERT INTO ${TABLE} (event_id, type, topic, group_key, envelope)
     SELECT id, $1, $2, CASE WHEN $3 THEN 'group-' || (n % 50) END,
            json_build_object('specversion', '1.0', 'id', id, 'source', '/bursts', 'type', $1::text, 'time', now(), 'subject', 'group-' || (n % 50),
                              'datacontenttype', 'application/json', 'data', json_build_object('n', n), 'correlationid', id)
     FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $4::int) AS n) AS burst`,
    [contract.type, contract.topic, fifo, count],
  );
}

describe('outbox claim query', () => {
  let world: TestServiceWorld;
  let db: Client;

  beforeEach(async () => {
    world = await testServiceWorld(burstTopology, (config) => BurstModule.forRoot(config));
    // Migrate, then stop: the spec fills the table itself. No autovacuum either: the table stays
    // never analysed, as a new service's or a restored database's is during its first burst.
    await (await world.startReplica({ OUTBOX_RELAY_ENABLED: 'false' })).close();
    db = await connectTo(world.env);
    await db.query(`ALTER TABLE ${TABLE} SET (autovacuum_enabled = false)`);
  });

  afterEach(async () => {
    await db?.end();
    await world?.stop();
  });

  it('stays an index scan of the ready rows with many published rows in the table', async () => {
    await db.query(`
      INSERT INTO ${TABLE} (event_id, type, topic, envelope, published_at)
      SELECT gen_random_uuid(), 'test.burst.happened.v1', 'bursts', '{}'::json, now() - interval '1 hour'
      FROM generate_series(1, 200000)`);
    await insertBurst(db, 50, false);
    await db.query(`ANALYZE ${TABLE}`);

    const scans = await scansOf(db, standardClaimSql(shape));
    expect(scans).toEqual(expect.arrayContaining(['Index Scan on outbox_ready_idx', 'Index Scan on outbox_due_idx']));
    expect(scans.filter((scan) => /Seq Scan|Bitmap/.test(scan))).toEqual([]);
  });

  it('regression: on a never-analysed table a 20,000-row burst is claimed by ordered index scans, not bitmap scans of every entry, and drains', async () => {
    await insertBurst(db, 20_000, false);
    const { rows } = await db.query<{ analysed: boolean }>(`SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL AS analysed FROM pg_stat_user_tables WHERE relid = $1::regclass`, [TABLE]);
    expect(rows[0].analysed).toBe(false);

    const scans = await scansOf(db, standardClaimSql(shape));
    expect(scans).toEqual(expect.arrayContaining(['Index Scan on outbox_ready_idx', 'Index Scan on outbox_due_idx']));
    expect(scans.filter((scan) => /Seq Scan|Bitmap/.test(scan))).toEqual([]);
    const next = await scansOf(db, nextDueSql(shape));
    expect(next.every((scan) => /Index (Only )?Scan on outbox_due_idx/.test(scan))).toBe(true);

    await world.startReplica();
    await waitFor(async () => (await countRows(db, `SELECT count(*) FROM ${TABLE} WHERE published_at IS NULL`)) === 0 || undefined, {
      what: 'the burst to be relayed',
      timeoutMs: 45_000,
    });
  });

  it('the lag sampled for metrics reads indexes only, however many timers wait and published rows are kept', async () => {
    await db.query(`
      INSERT INTO ${TABLE} (event_id, type, topic, envelope, published_at)
      SELECT gen_random_uuid(), 'test.burst.happened.v1', 'bursts', '{}'::json, now() - interval '1 hour' FROM generate_series(1, 100000)`);
    await db.query(`
      INSERT INTO ${TABLE} (event_id, type, topic, envelope, deliver_at, available_at)
      SELECT gen_random_uuid(), 'test.burst.happened.v1', 'bursts', '{}'::json, now() + interval '30 days', now() + interval '30 days' FROM generate_series(1, 100000)`);
    await insertBurst(db, 3, false);
    await db.query(`UPDATE ${TABLE} SET created_at = now() - interval '5 minutes' WHERE id = (SELECT min(id) FROM ${TABLE} WHERE published_at IS NULL AND deliver_at IS NULL)`);

    const plans: string[][] = [];
    const explaining = new OutboxBacklog(async <R>(sql: string, params?: unknown[]) => {
      plans.push(await scansOf(db, sql, params));
      return [{}] as R[];
    }, 'bursts');
    await explaining.lag();
    expect(plans).toHaveLength(1);
    // Bitmap scans of the small FIFO and parked indexes are bounded by those rows; the timers' and
    // the published rows' indexes, and the table itself, are never read whole.
    expect(plans[0].filter((scan) => /Seq Scan|Bitmap Index Scan on (outbox_(unpublished|due|ready|published_at)_idx|outbox_messages_pkey)/.test(scan))).toEqual([]);

    const lag = await new OutboxBacklog(runSqlOn(db), 'bursts').lag();
    expect(lag).toMatchObject({ pending: 3, parked: 0 });
    expect(lag.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(300);
    expect(lag.oldestPendingAgeSeconds).toBeLessThan(360);
  });

  it('regression: the FIFO claim on a never-analysed table walks the FIFO index in order and probes each group, with no bitmap, hash or sequential scan', async () => {
    await insertBurst(db, 20_000, true);
    const scans = await scansOf(db, fifoClaimSql(shape));
    expect(scans).toEqual(expect.arrayContaining(['Index Scan on outbox_fifo_pending_idx', 'Index Scan on outbox_fifo_group_idx']));
    expect(scans.filter((scan) => /Seq Scan|Bitmap|Hash/.test(scan))).toEqual([]);
  });
});
