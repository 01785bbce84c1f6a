import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createCloudEvent, locateQueue, SQS_CLIENT, TopologyNames } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import type { Client } from 'pg';
import { countRows } from './support/database';
import { countReceives } from './support/receive-counter';
import type { TestServiceWorld } from './support/test-service-world';
import { WidgetBehaviour, widgetRig, widgetTopology, type WidgetRig } from './support/widget-service';

describe('consumer concurrency', () => {
  let world: TestServiceWorld;
  let db: Client;
  let sqs: WidgetRig['sqs'];
  let rig: WidgetRig | undefined;

  beforeAll(async () => {
    // A pool large enough that every message in hand can have its transaction open at once.
    rig = await widgetRig({ CONSUMER_CONCURRENCY: '20', CONSUMER_BATCH_SIZE: '10', DB_POOL_SIZE: '30' });
    ({ world, db, sqs } = rig);
  });

  afterAll(() => rig?.stop());

  it('receives more while handlers run, holds at most CONSUMER_CONCURRENCY messages, and shutdown drains what it holds', async () => {
    const app = await world.startReplica();
    let release: () => void = () => undefined;
    try {
      const behaviour = app.get(WidgetBehaviour);
      const receives = countReceives(app.get(SQS_CLIENT));
      behaviour.gate = new Promise<void>((resolve) => (release = resolve));
      const queueUrl = await locateQueue(sqs, new TopologyNames(world.config.topologyPrefix).queue(widgetTopology));
      const widgetIds = Array.from({ length: 30 }, (_, index) => `busy-${index}`);
      for (let start = 0; start < widgetIds.length; start += 10) {
        const entries = widgetIds.slice(start, start + 10).map((widgetId, index) => ({
          Id: `m${index}`,
          MessageBody: JSON.stringify(createCloudEvent({ source: '/test', type: 'test.widget.created.v1', subject: widgetId, data: { widgetId, label: 'x' }, correlationId: widgetId })),
        }));
        await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      }

      // Twenty handlers wait at once: the second receive came while the first one's handlers ran.
      await waitFor(() => behaviour.handledCalls >= 20 || undefined, { what: 'twenty handlers running at once', timeoutMs: 20_000 });
      const depth = async () => {
        const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
        return { visible: Number(Attributes?.ApproximateNumberOfMessages), inHand: Number(Attributes?.ApproximateNumberOfMessagesNotVisible) };
      };
      // And no more: with twenty in hand the consumer waits for room instead of receiving.
      await waitFor(async () => receives.inFlight === 0 || undefined, { what: 'the consumer to wait for room' });
      expect(await depth()).toEqual({ visible: 10, inHand: 20 });
      expect(behaviour.handledCalls).toBe(20);

      let closed = false;
      const closing = app.close().then(() => (closed = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed).toBe(false);
      release();
      await closing;
      const handled = await countRows(db, `SELECT count(*) FROM widgets.widget_effects WHERE widget_id LIKE 'busy-%'`);
      expect(handled).toBe(20);
      expect(await depth()).toEqual({ visible: 10, inHand: 0 });
    } finally {
      release();
      await app.close();
    }
  });
});
