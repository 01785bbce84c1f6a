import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createCloudEvent, createSqsClient, locateQueue, SQS_CLIENT, TopologyNames } from '@app/messaging';
import { HandlerSpy, TcpProxy, waitFor } from '@app/messaging/testing';
import { Logger, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { countReceives } from './support/receive-counter';
import type { TestServiceWorld } from './support/test-service-world';
import { widgetTopology, widgetWorld } from './support/widget-service';

const OPS_TOKEN = 'broker-outage-ops-token';
const aWidgetEvent = (widgetId: string) =>
  createCloudEvent({ source: '/test', type: 'test.widget.created.v1', subject: widgetId, data: { widgetId, label: 'x' }, correlationId: `corr-${widgetId}` });

describe('a service whose broker is unreachable', () => {
  let world: TestServiceWorld;
  let sqs: ReturnType<typeof createSqsClient>;
  let queueUrl: string;
  const emulator = () => new URL(world.env.AWS_ENDPOINT_URL as string);

  beforeAll(async () => {
    world = await widgetWorld({ OPS_TOKEN, HEALTH_SAMPLE_MS: '200' });
    sqs = createSqsClient(world.config.aws);
    queueUrl = await locateQueue(sqs, new TopologyNames(world.config.topologyPrefix).queue(widgetTopology));
  });

  afterAll(async () => {
    sqs?.destroy();
    await world?.stop();
  });

  it('regression: starting while SQS is unreachable does not exit: it serves, reports the broker, and consumes once SQS answers', async () => {
    const proxy = await TcpProxy.start({ host: emulator().hostname, port: Number(emulator().port) }, { cut: true });
    let app: INestApplication | undefined;
    try {
      app = await world.startReplica({ AWS_ENDPOINT_URL: proxy.url, AWS_REQUEST_TIMEOUT_MS: '6000' });
      const http = app.getHttpServer();
      await request(http).get('/health/ready').expect(200);
      await request(http).get('/health/live').expect(200);
      const details = await request(http).get('/health/details').set('authorization', `Bearer ${OPS_TOKEN}`).expect(503);
      expect(details.body.error.sqs).toMatchObject({ status: 'down', reachable: false, locating: true });

      await proxy.restore();
      const spy = HandlerSpy.attach(app);
      const event = aWidgetEvent('after-broker-outage');
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
      await spy.waitForHandled({ eventId: event.id, outcome: 'handled' }, 40_000);
      await waitFor(async () => (await request(http).get('/health/details').set('authorization', `Bearer ${OPS_TOKEN}`)).body.details?.sqs?.status === 'up' || undefined, {
        what: 'the detailed view to see the broker back',
      });
    } finally {
      await app?.close();
      await proxy.stop();
    }
  });

  it('still stops start-up, with the provisioning hint, when the queue really does not exist', async () => {
    await expect(world.startReplica({ TOPOLOGY_PREFIX: 'tnotprovisioned' })).rejects.toThrow(/Queue "tnotprovisioned-widgets(-dlq)?" not found: run the provisioning step first/);
  });

  it('regression: receives back off with jitter while SQS fails, and the log says so once, and once when it is back', async () => {
    const proxy = await TcpProxy.start({ host: emulator().hostname, port: Number(emulator().port) });
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const log = jest.spyOn(Logger.prototype, 'log');
    let app: INestApplication | undefined;
    try {
      app = await world.startReplica({ AWS_ENDPOINT_URL: proxy.url, AWS_REQUEST_TIMEOUT_MS: '6000' });
      const receives = countReceives(app.get(SQS_CLIENT));
      const { startedAt } = receives;
      await waitFor(() => receives.completed > 0 || undefined, { what: 'the consumer to poll' });

      await proxy.cut();
      const cutAt = startedAt.length;
      await waitFor(() => startedAt.length >= cutAt + 5 || undefined, { what: 'five receives during the outage', timeoutMs: 30_000 });
      const gaps = startedAt.slice(cutAt, cutAt + 5).map((at, index, all) => (index === 0 ? 0 : at - all[index - 1]));
      // Re-polling at once would show gaps of a few milliseconds; the backoff doubles towards 30 s.
      expect(gaps[4]).toBeGreaterThanOrEqual(1000);

      await proxy.restore();
      const said = (spy: jest.SpyInstance, text: RegExp) => spy.mock.calls.filter(([, message]) => typeof message === 'string' && text.test(message)).length;
      await waitFor(() => said(log, /^SQS reachable again/) === 1 || undefined, { what: 'the consumer to say SQS is back', timeoutMs: 40_000 });
      expect(said(warn, /^SQS unreachable/)).toBe(1);
      expect(said(warn, /SQS consumer error/)).toBe(0);
    } finally {
      warn.mockRestore();
      log.mockRestore();
      await app?.close();
      await proxy.stop();
    }
  });
});
