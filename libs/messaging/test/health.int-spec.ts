import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createCloudEvent, createSqsClient, locateQueue, MessagingMetrics, Outbox, TopologyNames } from '@app/messaging';
import { TcpProxy, waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import type { TestServiceWorld } from './support/test-service-world';
import { WidgetBehaviour, WidgetCreated, widgetTopology, widgetWorld } from './support/widget-service';

const OPS_TOKEN = 'health-spec-ops-token';

describe('health endpoints', () => {
  let world: TestServiceWorld;

  beforeAll(async () => {
    world = await widgetWorld({ OPS_TOKEN, HEALTH_SAMPLE_MS: '200', HEALTH_READY_TIMEOUT_MS: '1000' });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('regression: readiness asks only for the database, within its bound: SQS gone leaves it 200, the database gone makes it 503 at once', async () => {
    const emulator = new URL(world.env.AWS_ENDPOINT_URL as string);
    const broker = await TcpProxy.start({ host: emulator.hostname, port: Number(emulator.port) });
    const database = await TcpProxy.start({ host: '127.0.0.1', port: Number(world.env.PGPORT) });
    let app: INestApplication | undefined;
    try {
      app = await world.startReplica({ AWS_ENDPOINT_URL: broker.url, PGPORT: String(database.port), AWS_REQUEST_TIMEOUT_MS: '6000' });
      const http = app.getHttpServer();
      await request(http).get('/health/ready').expect(200);

      await broker.cut();
      await request(http).get('/health/ready').expect(200);
      await waitFor(async () => (await app?.get(MessagingMetrics).brokerReachable.get())?.values[0]?.value === 0 || undefined, { what: 'the broker gauge to drop' });
      const details = await request(http).get('/health/details').set('authorization', `Bearer ${OPS_TOKEN}`).expect(503);
      expect(details.body.error.sqs).toMatchObject({ status: 'down', reachable: false });
      expect(details.body.info.database).toEqual({ status: 'up' });

      await database.cut();
      const ready = await request(http).get('/health/ready').expect(503);
      expect(ready.body.error.database.status).toBe('down');
      await database.restore();
      await waitFor(async () => (await request(http).get('/health/ready')).status === 200 || undefined, { what: 'readiness back with the database' });
    } finally {
      await app?.close();
      await Promise.all([broker.stop(), database.stop()]);
    }
  });

  it('regression: an old outbox event neither takes readiness down nor waits for a probe to be counted; it shows in the metrics and the detailed view', async () => {
    const app = await world.startReplica({ OUTBOX_RELAY_ENABLED: 'false' });
    try {
      const dataSource = app.get<DataSource>(getDataSourceToken());
      const event = await dataSource.transaction((manager) => app.get(Outbox).publish(manager, WidgetCreated, { widgetId: 'stuck-1', label: 'x' }, { subject: 'stuck-1' }));
      await dataSource.query(`UPDATE widgets.outbox_messages SET created_at = now() - interval '10 minutes' WHERE event_id = $1`, [event.id]);
      // No request reaches the service: the timer alone updates the gauge.
      await waitFor(async () => ((await app.get(MessagingMetrics).outboxOldestPendingSeconds.get()).values[0]?.value ?? 0) >= 600 || undefined, { what: 'the sampled outbox age' });
      const http = app.getHttpServer();
      await request(http).get('/health/ready').expect(200);
      await request(http).get('/health/live').expect(200);
      const details = await request(http).get('/health/details').set('authorization', `Bearer ${OPS_TOKEN}`).expect(503);
      expect(details.body.error.outbox).toMatchObject({ status: 'down', pending: 1 });
      expect(details.body.error.outbox.oldestPendingSeconds).toBeGreaterThanOrEqual(600);
    } finally {
      await app.close();
    }
  });

  it('keeps the detailed view behind the ops token', async () => {
    const app = await world.startReplica();
    try {
      await request(app.getHttpServer()).get('/health/details').expect(401);
    } finally {
      await app.close();
    }
  });

  it('regression: liveness fails once the consumer has completed no receive for CONSUMER_STALL_SECONDS, and recovers', async () => {
    // Every place in hand taken by a hung handler: the consumer can neither finish nor receive.
    const app = await world.startReplica({ CONSUMER_STALL_SECONDS: '3', HANDLER_TIMEOUT_MS: '30000', CONSUMER_CONCURRENCY: '10' });
    try {
      const behaviour = app.get(WidgetBehaviour);
      let release!: () => void;
      const hung = new Promise<void>((resolve) => (release = resolve));
      const sqs = createSqsClient(world.config.aws);
      try {
        const queueUrl = await locateQueue(sqs, new TopologyNames(world.config.topologyPrefix).queue(widgetTopology));
        for (let index = 0; index < 10; index++) {
          const widgetId = `stalled-${index}`;
          behaviour.holds.set(widgetId, hung);
          const event = createCloudEvent({ source: '/test', type: 'test.widget.created.v1', subject: widgetId, data: { widgetId, label: 'x' }, correlationId: 'c-stall' });
          await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
        }
      } finally {
        sqs.destroy();
      }
      const http = app.getHttpServer();
      const stalled = await waitFor(
        async () => {
          const response = await request(http).get('/health/live');
          return response.status === 503 ? response.body : undefined;
        },
        { what: 'liveness to fail', timeoutMs: 20_000 },
      );
      expect(stalled.error.consumer).toMatchObject({ status: 'down', limit: 3 });
      await request(http).get('/health/ready').expect(200);
      release();
      await waitFor(async () => (await request(http).get('/health/live')).status === 200 || undefined, { what: 'liveness to recover' });
    } finally {
      await app.close();
    }
  });
});
