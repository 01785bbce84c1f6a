import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createCloudEvent, createSqsClient, locateQueue, TopologyNames, type CloudEvent, type EventContract, type EventPayload } from '@app/messaging';
import { HandlerSpy, waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import type { Client } from 'pg';
import { connectTo, countRows } from './database';
import { StepGate, TallyBehaviour, tallyTopology, tallyWorld, type TallyState } from './tally-service';
import type { TestServiceWorld } from './test-service-world';

export interface InstanceRow {
  state: TallyState;
  version: number;
  completed_at: Date | null;
  timeouts: Record<string, { id: string; dueAt: string }>;
}

/** Two replicas of the tally service on one schema and queue, and what its specs do with them. */
export async function openTallies(overrides: NodeJS.ProcessEnv = {}) {
  const world: TestServiceWorld = await tallyWorld(overrides);
  const replicas: INestApplication[] = [await world.startReplica(), await world.startReplica()];
  const spies = replicas.map((replica) => HandlerSpy.attach(replica));
  const db: Client = await connectTo(world.env);
  const sqs = createSqsClient(world.config.aws);
  const queueUrl = await locateQueue(sqs, new TopologyNames(world.config.topologyPrefix).queue(tallyTopology));

  /** Puts the event straight on the service's queue, as SNS would deliver it. */
  const resend = async (event: CloudEvent): Promise<CloudEvent> => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event), MessageAttributes: { type: { DataType: 'String', StringValue: event.type } } }));
    return event;
  };

  const eventOf = <C extends EventContract>(contract: C, data: EventPayload<C>, subject: string): CloudEvent =>
    createCloudEvent({ source: '/test', type: contract.type, subject, data, correlationId: `corr-${subject}` });

  return {
    world,
    replicas,
    db,
    resend,
    eventOf,
    /** Up to ten events in one SendMessageBatch, so that a receive can hold several of them. */
    sendBatch: async (events: CloudEvent[]): Promise<void> => {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: events.map((event, index) => ({ Id: String(index), MessageBody: JSON.stringify(event), MessageAttributes: { type: { DataType: 'String', StringValue: event.type } } })),
        }),
      );
    },
    send: <C extends EventContract>(contract: C, data: EventPayload<C>, subject: string): Promise<CloudEvent> => resend(eventOf(contract, data, subject)),
    /** Handled (or skipped as a duplicate) by either replica. */
    handled: (event: { id: string } | string, outcome: 'handled' | 'duplicate' = 'handled') =>
      Promise.any(spies.map((spy) => spy.waitForHandled({ eventId: typeof event === 'string' ? event : event.id, outcome }))),
    instance: async (key: string): Promise<InstanceRow | undefined> =>
      (await db.query<InstanceRow>(`SELECT state, version, completed_at, timeouts FROM tallies.process_instances WHERE process = 'tally' AND key = $1`, [key])).rows[0],
    /** The same gate on every replica: whichever takes that step stops there, its instance row locked. */
    gateOn: (tallyId: string, what: number | 'closed' | 'deadline') => {
      const gate = new StepGate();
      replicas.forEach((replica) => replica.get(TallyBehaviour).gates.set(`${tallyId}:${what}`, gate));
      return gate;
    },
    deadlineFor: (tallyId: string, ms: number) => replicas.forEach((replica) => replica.get(TallyBehaviour).deadlines.set(tallyId, ms)),
    /** A transaction of this spec's database waits for a lock: a second step is queued behind the first. */
    aStepWaitsForTheLock: () =>
      waitFor(async () => (await countRows(db, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)) > 0, {
        what: 'a transaction waiting for the instance lock',
      }),
    close: async () => {
      spies.forEach((spy) => spy.stop());
      sqs.destroy();
      await db.end();
      await world.stop();
    },
  };
}

export type Tallies = Awaited<ReturnType<typeof openTallies>>;
