import { randomUUID } from 'node:crypto';
import { countRows } from './support/database';
import { openTallies, type Tallies } from './support/tally-harness';
import { TallyClosed, TallyCounted } from './support/tally-service';

// Both transaction modes: in `batch` the events of a receive share one transaction, and its locks.
describe.each(['message', 'batch'] as const)('process managers on the consumer, two replicas on one schema and queue, CONSUMER_TRANSACTION=%s', (mode) => {
  let tallies: Tallies;

  beforeAll(async () => {
    tallies = await openTallies({ CONSUMER_TRANSACTION: mode });
  });

  afterAll(async () => {
    await tallies?.close();
  });

  it('regression: two replicas stepping one instance at the same moment lose no update', async () => {
    const { send, handled, gateOn, aStepWaitsForTheLock, instance } = tallies;
    const tallyId = `t-${randomUUID()}`;
    await handled(await send(TallyCounted, { tallyId, amount: 1 }, tallyId));

    const gate = gateOn(tallyId, 10);
    const held = await send(TallyCounted, { tallyId, amount: 10 }, tallyId);
    await gate.entered;
    // The replica holding the gate is busy with its receive, so the other one takes this count,
    // reads the instance and would overwrite the held step's update if nothing made it wait.
    const racing = await send(TallyCounted, { tallyId, amount: 100 }, tallyId);
    // Queued behind the lock, or (if nothing guarded the instance) finished with a stale read.
    await Promise.race([aStepWaitsForTheLock(), handled(racing)]);
    gate.release();

    await Promise.all([handled(held), handled(racing)]);
    expect(await instance(tallyId)).toMatchObject({ state: { total: 111, counts: 3 }, version: 3, completed_at: null });
  });

  it('regression: two replicas starting one instance at the same moment start it once and lose no update', async () => {
    const { send, handled, gateOn, aStepWaitsForTheLock, instance } = tallies;
    const tallyId = `t-${randomUUID()}`;
    const gate = gateOn(tallyId, 1);
    const starting = await send(TallyCounted, { tallyId, amount: 1 }, tallyId);
    await gate.entered;
    // The starting step has inserted the instance and not committed: the other waits on its key.
    const racing = await send(TallyCounted, { tallyId, amount: 2 }, tallyId);
    await Promise.race([aStepWaitsForTheLock(), handled(racing)]);
    gate.release();

    await Promise.all([handled(starting), handled(racing)]);
    const started = await instance(tallyId);
    expect(started).toMatchObject({ state: { total: 3, counts: 2 }, version: 2 });
    // Started once: one deadline asked for, one timeout row.
    expect(Object.keys(started?.timeouts ?? {})).toEqual(['tally-deadline']);
    expect(await countRows(tallies.db, `SELECT count(*) FROM tallies.outbox_messages WHERE type = 'messaging.process-manager.timeout.v1' AND envelope->>'subject' = $1`, [`tally/${tallyId}`])).toBe(1);
  });

  it('adds up every count of two instances sent together, whichever replica and receive takes them', async () => {
    const { eventOf, sendBatch, handled, instance } = tallies;
    const [a, b] = [`t-${randomUUID()}`, `t-${randomUUID()}`];
    // Interleaved, so a shared receive steps both instances, and two replicas may take them in opposite orders.
    const events = Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? eventOf(TallyCounted, { tallyId: a, amount: n }, a) : eventOf(TallyCounted, { tallyId: b, amount: n }, b)));
    await Promise.all([sendBatch(events.slice(0, 10)), sendBatch(events.slice(10))]);
    await Promise.all(events.map((event) => handled(event)));
    expect(await instance(a)).toMatchObject({ state: { total: 90, counts: 10 }, version: 10 });
    expect(await instance(b)).toMatchObject({ state: { total: 100, counts: 10 }, version: 10 });
  });

  it('takes one step for an event delivered twice: the inbox row and the instance commit together', async () => {
    const { send, resend, handled, instance } = tallies;
    const tallyId = `t-${randomUUID()}`;
    const count = await send(TallyCounted, { tallyId, amount: 5 }, tallyId);
    await handled(count);
    await handled(await resend(count), 'duplicate');
    expect(await instance(tallyId)).toMatchObject({ state: { total: 5, counts: 1 }, version: 1 });
  });

  it('completes an instance, publishes in the same step, then ignores later events for it', async () => {
    const { send, handled, instance, db } = tallies;
    const tallyId = `t-${randomUUID()}`;
    await handled(await send(TallyCounted, { tallyId, amount: 7 }, tallyId));
    await handled(await send(TallyClosed, { tallyId }, tallyId));
    const closed = await instance(tallyId);
    expect(closed).toMatchObject({ state: { total: 7, counts: 1 }, version: 2, timeouts: {} });
    expect(closed?.completed_at).toBeInstanceOf(Date);
    const totalled = await db.query(`SELECT envelope->'data' AS data FROM tallies.outbox_messages WHERE type = 'test.tally.totalled.v1' AND envelope->>'subject' = $1`, [tallyId]);
    expect(totalled.rows).toEqual([{ data: { tallyId, total: 7, counts: 1, closedBy: 'closing' } }]);

    await handled(await send(TallyCounted, { tallyId, amount: 1000 }, tallyId));
    await handled(await send(TallyClosed, { tallyId }, tallyId));
    expect(await instance(tallyId)).toMatchObject({ state: { total: 7, counts: 1 }, version: 2 });
    expect(await countRows(db, `SELECT count(*) FROM tallies.outbox_messages WHERE type = 'test.tally.totalled.v1' AND envelope->>'subject' = $1`, [tallyId])).toBe(1);
  });

  it('ignores an event for an instance that never started', async () => {
    const { send, handled, instance, db } = tallies;
    const tallyId = `t-${randomUUID()}`;
    await handled(await send(TallyClosed, { tallyId }, tallyId));
    expect(await instance(tallyId)).toBeUndefined();
    expect(await countRows(db, `SELECT count(*) FROM tallies.outbox_messages WHERE envelope->>'subject' IN ($1, $2)`, [tallyId, `tally/${tallyId}`])).toBe(0);
  });
});
