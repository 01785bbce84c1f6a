import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createCloudEvent, createSqsClient, locateQueue, MessagingMetrics, SQS_CLIENT, TopologyNames } from '@app/messaging';
import { HandlerSpy, TcpProxy, waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import type { Client } from 'pg';
import { connectTo, countRows } from './support/database';
import { countReceives } from './support/receive-counter';
import type { TestServiceWorld } from './support/test-service-world';
import { WidgetBehaviour, widgetTopology, widgetWorld } from './support/widget-service';

const aWidgetEvent = (widgetId: string) =>
  createCloudEvent({ source: '/test', type: 'test.widget.created.v1', subject: widgetId, data: { widgetId, label: 'x' }, correlationId: `corr-${widgetId}` });

/** A promise and the function that settles it. */
function latch(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe.each(['message', 'batch'] as const)('consumer during an outage of its database, CONSUMER_TRANSACTION=%s', (mode) => {
  let world: TestServiceWorld;
  let db: Client;
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    world = await widgetWorld({ CONSUMER_TRANSACTION: mode });
    db = await connectTo(world.env);
    sqs = createSqsClient(world.config.aws);
    queueUrl = await locateQueue(sqs, new TopologyNames(world.config.topologyPrefix).queue(widgetTopology));
  });

  afterAll(async () => {
    await db?.end();
    sqs?.destroy();
    await world?.stop();
  });

  const outageGauge = async (app: INestApplication) => (await app.get(MessagingMetrics).databaseOutage.get()).values[0]?.value;
  const effectsOf = (widgetId: string) => countRows(db, 'SELECT count(*) FROM widgets.widget_effects WHERE widget_id = $1', [widgetId]);

  it('regression: an outage during a receive never starts a second poll chain, spends no receive, and shutdown still drains the last batch', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(world.env.PGPORT) });
    let app: INestApplication | undefined;
    try {
      app = await world.startReplica({ PGPORT: String(proxy.port), DB_CONNECT_TIMEOUT_MS: '1000' });
      const receives = countReceives(app.get(SQS_CLIENT));
      const behaviour = app.get(WidgetBehaviour);
      const spy = HandlerSpy.attach(app);
      const [a, c] = [latch(), latch()];
      behaviour.holds.set('outage-a', a.promise);
      behaviour.holds.set('outage-c', c.promise);
      const events = [aWidgetEvent('outage-a'), aWidgetEvent('outage-c')];
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: events.map((event, index) => ({ Id: `m${index}`, MessageBody: JSON.stringify(event) })) }));
      // In batch mode the handlers run one after the other, so only the first has started.
      const started = mode === 'batch' ? ['outage-a'] : ['outage-a', 'outage-c'];
      await waitFor(() => started.every((widgetId) => behaviour.receiveCounts.has(widgetId)) || undefined, { what: 'the handlers to start' });

      // The database goes away under the running handlers, and comes back while one still waits.
      await proxy.cut();
      a.release();
      await waitFor(async () => (await outageGauge(app as INestApplication)) === 1 || undefined, { what: 'the consumer to see the outage' });
      await proxy.restore();
      await spy.waitForHandled({ eventId: events[0].id, outcome: 'handled' }, 20_000);
      c.release();
      await spy.waitForHandled({ eventId: events[1].id, outcome: 'handled' }, 20_000);

      // Long polls go on; a second chain would show as two at once within a few of them.
      const settledAt = receives.completed;
      await waitFor(() => receives.completed >= settledAt + 5 || undefined, { what: 'five more receives', timeoutMs: 20_000 });
      expect(receives.mostInFlight).toBe(1);
      expect(spy.deadLettered).toEqual([]);
      expect(await effectsOf('outage-a')).toBe(1);
      expect(await effectsOf('outage-c')).toBe(1);
      // The message in hand waited for the database instead of going back to the queue.
      expect(behaviour.receiveCounts.get('outage-a')?.every((count) => count === 1)).toBe(true);

      // Shutdown after the outage still waits for the handler in flight and its acknowledgement.
      const d = latch();
      behaviour.holds.set('outage-d', d.promise);
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(aWidgetEvent('outage-d')) }));
      await waitFor(() => behaviour.receiveCounts.has('outage-d') || undefined, { what: 'the last handler to start' });
      let closed = false;
      const closing = app.close().then(() => (closed = true));
      await waitFor(() => receives.inFlight === 0 || undefined, { what: 'the last long poll to end' });
      expect(closed).toBe(false);
      d.release();
      await closing;
      app = undefined;
      expect(await effectsOf('outage-d')).toBe(1);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      expect(Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible)).toBe(0);
    } finally {
      await app?.close();
      await proxy.stop();
    }
  });

  it("regression: a handler's own connection refused is not an outage: it backs off and is dead-lettered with a reason", async () => {
    // The consumer gives up after 2 deliveries, the queue's redrive policy (without a reason) after 3.
    const app = await world.startReplica({ MAX_RECEIVE_COUNT: '2', RETRY_IMMEDIATE: '1' });
    try {
      const behaviour = app.get(WidgetBehaviour);
      behaviour.failWith = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
      behaviour.failTimes('provider-down', 100);
      const spy = HandlerSpy.attach(app);
      const event = aWidgetEvent('provider-down');
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
      const dead = await spy.waitForDeadLettered({ eventId: event.id }, 20_000);
      expect(dead.code).toBe('RETRIES_EXHAUSTED');
      expect(dead.reason).toMatch(/^DRIVER_ECONNREFUSED after 2 attempts \(2 tries each\): connect ECONNREFUSED/);
      // Tried at once, then again one delivery later: the delivery counts show the backoff.
      expect(behaviour.receiveCounts.get('provider-down')).toEqual([1, 1, 2, 2]);
    } finally {
      await app.close();
    }
  });
});
