import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createCloudEvent, createSqsClient, locateQueue, TopologyNames, type CloudEvent, type EventContract, type EventPayload } from '@app/messaging';
import { HandlerSpy, waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { connectTo, countRows } from './support/database';
import type { TestServiceWorld } from './support/test-service-world';
import { StepGate, TallyBehaviour, TallyClosed, TallyCounted, tallyTopology, tallyWorld, type TallyState } from './support/tally-service';

interface InstanceRow {
  state: TallyState;
  version: number;
  completed_at: Date | null;
}

describe('process managers on the consumer, two replicas on one schema and queue', () => {
  let world: TestServiceWorld;
  let replicas: INestApplication[];
  let spies: HandlerSpy[];
  let db: Client;
  let sqs: ReturnType<typeof createSqsClient>;
  let queueUrl: string;

  beforeAll(async () => {
    world = await tallyWorld();
    replicas = [await world.startReplica(), await world.startReplica()];
    spies = replicas.map((replica) => HandlerSpy.attach(replica));
    db = await connectTo(world.env);
    sqs = createSqsClient(world.config.aws);
    queueUrl = await locateQueue(sqs, new TopologyNames(world.config.topologyPrefix).queue(tallyTopology));
  });

  afterAll(async () => {
    spies?.forEach((spy) => spy.stop());
    await db?.end();
    sqs?.destroy();
    await world?.stop();
  });

  const send = async <C extends EventContract>(contract: C, data: EventPayload<C>, subject: string): Promise<CloudEvent> => resend(createCloudEvent({ source: '/test', type: contract.type, subject, data, correlationId: `corr-${subject}` }));
  const resend = async (event: CloudEvent): Promise<CloudEvent> => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event), MessageAttributes: { type: { DataType: 'String', StringValue: event.type } } }));
    return event;
  };
  /** Handled (or skipped as a duplicate) by either replica. */
  const handled = (event: CloudEvent, outcome: 'handled' | 'duplicate' = 'handled') => Promise.any(spies.map((spy) => spy.waitForHandled({ eventId: event.id, outcome })));
  const instance = async (key: string): Promise<InstanceRow | undefined> =>
    (await db.query<InstanceRow>(`SELECT state, version, completed_at FROM tallies.process_instances WHERE process = 'tally' AND key = $1`, [key])).rows[0];
  /** The same gate on every replica: whichever takes the count stops there, its instance row locked. */
  const gateOn = (tallyId: string, amount: number) => {
    const gate = new StepGate();
    replicas.forEach((replica) => replica.get(TallyBehaviour).gates.set(`${tallyId}:${amount}`, gate));
    return gate;
  };
  /** A transaction of this spec's database waits for a lock: the second step is queued behind the first. */
  const aStepWaitsForTheLock = () =>
    waitFor(async () => (await countRows(db, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)) > 0, {
      what: 'a transaction waiting for the instance lock',
    });

  it('regression: two replicas stepping one instance at the same moment lose no update', async () => {
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
    const tallyId = `t-${randomUUID()}`;
    const gate = gateOn(tallyId, 1);
    const starting = await send(TallyCounted, { tallyId, amount: 1 }, tallyId);
    await gate.entered;
    // The starting step has inserted the instance and not committed: the other waits on its key.
    const racing = await send(TallyCounted, { tallyId, amount: 2 }, tallyId);
    await aStepWaitsForTheLock();
    gate.release();

    await Promise.all([handled(starting), handled(racing)]);
    expect(await instance(tallyId)).toMatchObject({ state: { total: 3, counts: 2 }, version: 2 });
  });

  it('takes one step for an event delivered twice: the inbox row and the instance commit together', async () => {
    const tallyId = `t-${randomUUID()}`;
    const count = await send(TallyCounted, { tallyId, amount: 5 }, tallyId);
    await handled(count);
    await handled(await resend(count), 'duplicate');
    expect(await instance(tallyId)).toMatchObject({ state: { total: 5, counts: 1 }, version: 1 });
  });

  it('completes an instance, publishes in the same step, then ignores later events for it', async () => {
    const tallyId = `t-${randomUUID()}`;
    await handled(await send(TallyCounted, { tallyId, amount: 7 }, tallyId));
    await handled(await send(TallyClosed, { tallyId }, tallyId));
    const closed = await instance(tallyId);
    expect(closed).toMatchObject({ state: { total: 7, counts: 1 }, version: 2 });
    expect(closed?.completed_at).toBeInstanceOf(Date);
    const totalled = await db.query(`SELECT envelope->'data' AS data FROM tallies.outbox_messages WHERE type = 'test.tally.totalled.v1' AND envelope->>'subject' = $1`, [tallyId]);
    expect(totalled.rows).toEqual([{ data: { tallyId, total: 7, counts: 1 } }]);

    await handled(await send(TallyCounted, { tallyId, amount: 1000 }, tallyId));
    await handled(await send(TallyClosed, { tallyId }, tallyId));
    expect(await instance(tallyId)).toMatchObject({ state: { total: 7, counts: 1 }, version: 2 });
    expect(await countRows(db, `SELECT count(*) FROM tallies.outbox_messages WHERE type = 'test.tally.totalled.v1' AND envelope->>'subject' = $1`, [tallyId])).toBe(1);
  });

  it('ignores an event for an instance that never started', async () => {
    const tallyId = `t-${randomUUID()}`;
    await handled(await send(TallyClosed, { tallyId }, tallyId));
    expect(await instance(tallyId)).toBeUndefined();
    expect(await countRows(db, `SELECT count(*) FROM tallies.outbox_messages WHERE envelope->>'subject' = $1`, [tallyId])).toBe(0);
  });
});
