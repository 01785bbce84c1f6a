import { OutboxBacklog, ProcessManagerTimeout, RetentionJanitor, runSqlOn, type CloudEvent } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import { randomUUID } from 'node:crypto';
import { countRows } from './support/database';
import { openTallies, type Tallies } from './support/tally-harness';
import { TALLY_DEADLINE_MS, TallyClosed, TallyCounted, TallyDeadlineLifted } from './support/tally-service';

describe('process-manager timeouts: scheduled outbox rows for the own queue', () => {
  let tallies: Tallies;

  beforeAll(async () => {
    tallies = await openTallies();
  });

  afterAll(async () => {
    await tallies?.close();
  });

  const timeoutRows = (tallyId: string, published: 'pending' | 'sent') =>
    countRows(
      tallies.db,
      `SELECT count(*) FROM tallies.outbox_messages WHERE type = $1 AND envelope->>'subject' = $2 AND published_at IS ${published === 'pending' ? '' : 'NOT '}NULL`,
      [ProcessManagerTimeout.type, `tally/${tallyId}`],
    );
  const totalledBy = async (tallyId: string) =>
    (
      await tallies.db.query<{ closed_by: string }>(`SELECT envelope->'data'->>'closedBy' AS closed_by FROM tallies.outbox_messages WHERE type = 'test.tally.totalled.v1' AND envelope->>'subject' = $1`, [
        tallyId,
      ])
    ).rows.map((row) => row.closed_by);
  const scheduled = () => new OutboxBacklog(runSqlOn(tallies.db), 'tallies').scheduled({ limit: 1000 });
  /** The database clock moved on by a month, for this tally's timeout row only. */
  const monthPasses = async (tallyId: string) => {
    await tallies.db.query(
      `UPDATE tallies.outbox_messages SET deliver_at = deliver_at - interval '30 days', available_at = available_at - interval '30 days'
       WHERE type = $1 AND envelope->>'subject' = $2 AND published_at IS NULL`,
      [ProcessManagerTimeout.type, `tally/${tallyId}`],
    );
    await tallies.db.query(`SELECT pg_notify('outbox_tallies', '')`);
  };
  const sentTimeout = async (tallyId: string): Promise<CloudEvent> =>
    (await tallies.db.query<{ envelope: CloudEvent }>(`SELECT envelope FROM tallies.outbox_messages WHERE type = $1 AND envelope->>'subject' = $2`, [ProcessManagerTimeout.type, `tally/${tallyId}`])).rows[0]
      .envelope;

  it('a one-month timeout is stored, listed, cancellable, and fires once when the database clock has moved a month', async () => {
    const { send, resend, handled, instance, db } = tallies;
    const kept = `t-${randomUUID()}`;
    const lifted = `t-${randomUUID()}`;
    await handled(await send(TallyCounted, { tallyId: kept, amount: 3 }, kept));
    await handled(await send(TallyCounted, { tallyId: lifted, amount: 4 }, lifted));

    // Stored: on the instance and as a scheduled row, due a month from now by the database clock.
    const waiting = await instance(kept);
    const { rows } = await db.query<{ now: Date }>('SELECT now()');
    const dueAt = new Date(waiting?.timeouts['tally-deadline'].dueAt ?? 0);
    expect(dueAt.getTime() - rows[0].now.getTime()).toBeGreaterThan(TALLY_DEADLINE_MS - 60_000);
    expect(dueAt.getTime() - rows[0].now.getTime()).toBeLessThanOrEqual(TALLY_DEADLINE_MS);
    // Listed, with its due time, by the operation behind `ops outbox scheduled`.
    // Listed under its instance, `<process>/<key>`.
    const listed = (await scheduled()).find((event) => event.subject === `tally/${kept}`);
    expect(listed).toMatchObject({ type: ProcessManagerTimeout.type, destination: 'own-queue', eventId: waiting?.timeouts['tally-deadline'].id, deliverAt: dueAt });

    // Cancellable: the lifted tally's timeout row is withdrawn in the step's transaction.
    await handled(await send(TallyDeadlineLifted, { tallyId: lifted }, lifted));
    expect(await timeoutRows(lifted, 'pending')).toBe(0);
    expect((await scheduled()).map((event) => event.subject)).not.toContain(`tally/${lifted}`);
    expect((await instance(lifted))?.timeouts).toEqual({});

    // Fires once: the month passes, the timeout comes back through the consumer and totals the tally.
    await monthPasses(kept);
    await waitFor(async () => ((await instance(kept))?.completed_at ? true : undefined), { what: 'the deadline to total the tally' });
    expect(await instance(kept)).toMatchObject({ state: { total: 3, counts: 1 }, version: 2, timeouts: {} });
    expect(await totalledBy(kept)).toEqual(['deadline']);
    // A second copy of the timeout (SQS at-least-once) is skipped by the inbox.
    await handled(await resend(await sentTimeout(kept)), 'duplicate');
    expect(await totalledBy(kept)).toEqual(['deadline']);
    expect(await instance(lifted)).toMatchObject({ completed_at: null, version: 2 });
  });

  it('completion cancels the pending timeout rows', async () => {
    const { send, handled, instance } = tallies;
    const tallyId = `t-${randomUUID()}`;
    await handled(await send(TallyCounted, { tallyId, amount: 1 }, tallyId));
    expect(await timeoutRows(tallyId, 'pending')).toBe(1);
    await handled(await send(TallyClosed, { tallyId }, tallyId));
    expect(await timeoutRows(tallyId, 'pending')).toBe(0);
    expect((await instance(tallyId))?.timeouts).toEqual({});
  });

  it('regression: a timeout racing the event it waits for, the event first: the timeout already sent is dropped', async () => {
    const { send, handled, gateOn, deadlineFor, aStepWaitsForTheLock, instance } = tallies;
    const tallyId = `t-${randomUUID()}`;
    deadlineFor(tallyId, 300);
    await handled(await send(TallyCounted, { tallyId, amount: 2 }, tallyId));
    // The closing step holds the instance while the deadline falls due and is sent...
    const gate = gateOn(tallyId, 'closed');
    const closing = await send(TallyClosed, { tallyId }, tallyId);
    await gate.entered;
    await waitFor(async () => (await timeoutRows(tallyId, 'sent')) === 1, { what: 'the deadline to be sent' });
    // ...and taken by the other replica, whose step waits for the instance.
    await aStepWaitsForTheLock();
    const timeout = await sentTimeout(tallyId);
    gate.release();

    await Promise.all([handled(closing), handled(timeout)]);
    expect(await totalledBy(tallyId)).toEqual(['closing']);
    expect(await instance(tallyId)).toMatchObject({ version: 2, timeouts: {} });
  });

  it('regression: a timeout racing the event it waits for, the timeout first: the late event finds the instance completed', async () => {
    const { send, handled, gateOn, deadlineFor, aStepWaitsForTheLock, instance } = tallies;
    const tallyId = `t-${randomUUID()}`;
    deadlineFor(tallyId, 300);
    const gate = gateOn(tallyId, 'deadline');
    await handled(await send(TallyCounted, { tallyId, amount: 2 }, tallyId));
    await gate.entered;
    const closing = await send(TallyClosed, { tallyId }, tallyId);
    await aStepWaitsForTheLock();
    gate.release();

    await Promise.all([handled(closing), handled(await sentTimeout(tallyId))]);
    expect(await totalledBy(tallyId)).toEqual(['deadline']);
    expect(await instance(tallyId)).toMatchObject({ version: 2, timeouts: {} });
  });

  it('retention deletes instances completed longer ago than PROCESS_RETENTION_HOURS, and keeps running ones however old', async () => {
    const { send, handled, instance, db, replicas } = tallies;
    const [old, recent, running] = [`t-${randomUUID()}`, `t-${randomUUID()}`, `t-${randomUUID()}`];
    for (const tallyId of [old, recent, running]) await handled(await send(TallyCounted, { tallyId, amount: 1 }, tallyId));
    for (const tallyId of [old, recent]) await handled(await send(TallyClosed, { tallyId }, tallyId));
    await db.query(`UPDATE tallies.process_instances SET completed_at = now() - interval '31 days' WHERE key = $1`, [old]);
    await db.query(`UPDATE tallies.process_instances SET started_at = now() - interval '90 days' WHERE key = $1`, [running]);

    const swept = await replicas[0].get(RetentionJanitor).sweep();
    expect(swept.processInstances).toBe(1);
    expect(await instance(old)).toBeUndefined();
    expect(await instance(recent)).toMatchObject({ completed_at: expect.any(Date) });
    expect(await instance(running)).toMatchObject({ completed_at: null });
  });
});
