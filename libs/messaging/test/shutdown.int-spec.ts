import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createCloudEvent, locateQueue, TopologyNames } from '@app/messaging';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Client } from 'pg';
import { countRows } from './support/database';
import type { TestServiceWorld } from './support/test-service-world';
import { WidgetBehaviour, widgetRig, widgetTopology, type WidgetRig } from './support/widget-service';

describe('graceful shutdown', () => {
  let world: TestServiceWorld;
  let db: Client;
  let sqs: WidgetRig['sqs'];
  let rig: WidgetRig | undefined;

  beforeAll(async () => {
    rig = await widgetRig({ SHUTDOWN_DRAIN_MS: '10000' });
    ({ world, db, sqs } = rig);
  });

  afterAll(() => rig?.stop());

  it('finishes the handler in flight, commits it and acknowledges its message before closing', async () => {
    const app = await world.startReplica();
    const behaviour = app.get(WidgetBehaviour);
    let release!: () => void;
    behaviour.gate = new Promise((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => (behaviour.entered = resolve));
    const queueUrl = await locateQueue(sqs, new TopologyNames(world.config.topologyPrefix).queue(widgetTopology));
    const event = createCloudEvent({ source: '/test', type: 'test.widget.created.v1', subject: 'slow-1', data: { widgetId: 'slow-1', label: 'x' }, correlationId: 'c' });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
    await entered;

    let closed = false;
    const closing = app.close().then(() => (closed = true));
    // Shutdown has begun and is waiting on the handler: it must not finish first.
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    release();
    await closing;

    expect(await countRows(db, `SELECT count(*) FROM widgets.widget_effects WHERE widget_id = 'slow-1'`)).toBe(1);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible)).toBe(0);
  });
});
