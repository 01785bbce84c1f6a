import { ProcessManagerTimeout } from '@app/messaging';
import type { Client } from 'pg';
import { nextDueSql, standardClaimSql } from '../src/outbox/outbox-claim';
import { connectTo } from './support/database';
import { tallyWorld } from './support/tally-service';
import type { TestServiceWorld } from './support/test-service-world';

const TABLE = 'tallies.outbox_messages';
const PENDING_TIMEOUTS = 200_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** The scans of a statement as it ran (rolled back: the claim leases what it returns). */
async function scansWhenRun(db: Client, sql: string): Promise<PlanNode[]> {
  await db.query('BEGIN');
  try {
    const { rows } = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`);
    const scans: PlanNode[] = [];
    const visit = (node: PlanNode) => {
      if (/Scan/.test(node['Node Type'])) scans.push(node);
      node.Plans?.forEach(visit);
    };
    visit(rows[0]['QUERY PLAN'][0].Plan);
    return scans;
  } finally {
    await db.query('ROLLBACK');
  }
}

const named = (scan: PlanNode) => `${scan['Node Type']} on ${scan['Index Name'] ?? scan['Relation Name'] ?? '?'}`;

describe('the claim of due process-manager timeouts, with many waiting', () => {
  let world: TestServiceWorld;
  let db: Client;

  beforeAll(async () => {
    world = await tallyWorld();
    // Migrate, then stop: the spec fills the outbox itself, and nothing claims from it meanwhile.
    await (await world.startReplica({ OUTBOX_RELAY_ENABLED: 'false' })).close();
    db = await connectTo(world.env);
    await db.query(`ALTER TABLE ${TABLE} SET (autovacuum_enabled = false)`);
    const timeouts = (count: number, due: string) =>
      db.query(
        `INSERT INTO ${TABLE} (event_id, type, topic, envelope, destination, deliver_at, available_at)
         SELECT gen_random_uuid(), $1, $2, '{}'::json, 'own-queue', ${due}, ${due} FROM generate_series(1, ${count}) AS n`,
        [ProcessManagerTimeout.type, ProcessManagerTimeout.topic],
      );
    // Waiting: due over the next days, one a second. Due: ten whose time has come.
    await timeouts(PENDING_TIMEOUTS, `now() + n * interval '1 second'`);
    await timeouts(10, `now() - n * interval '1 second'`);
  });

  afterAll(async () => {
    await db?.end();
    await world?.stop();
  });

  it.each([
    ['never analysed', false],
    ['analysed', true],
  ])('walks the due-time index from the front and reads only the due ones (%s)', async (_label, analysed) => {
    if (analysed) await db.query(`ANALYZE ${TABLE}`);
    const scans = await scansWhenRun(db, standardClaimSql({ table: TABLE, limit: 10, leaseSeconds: 30 }));
    expect(scans.filter((scan) => /Seq Scan|Bitmap/.test(scan['Node Type'])).map(named)).toEqual([]);
    const due = scans.find((scan) => scan['Index Name'] === 'outbox_due_idx');
    // The ten due rows, and not one of the waiting ones looked at and put aside.
    expect(due).toMatchObject({ 'Node Type': 'Index Scan', 'Actual Rows': 10 });
    expect(due?.['Rows Removed by Filter'] ?? 0).toBe(0);

    const next = await scansWhenRun(db, nextDueSql({ table: TABLE }));
    expect(next.map(named)).toEqual([expect.stringMatching(/^Index (Only )?Scan on outbox_due_idx$/)]);
    expect(next[0]['Actual Rows']).toBe(1);
  });
});
