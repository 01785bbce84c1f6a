import { Outbox, runInMessageContext } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import type { TestServiceWorld } from './support/test-service-world';
import { WidgetBehaviour, WidgetCreated, widgetWorld } from './support/widget-service';

const OPS_TOKEN = 'a-long-enough-ops-token-for-tests';

describe('admin routes and HTTP limits', () => {
  let world: TestServiceWorld;

  beforeAll(async () => {
    world = await widgetWorld({ OPS_TOKEN, HTTP_BODY_LIMIT: '1kb' });
  });

  afterAll(() => world?.stop());

  it('refuses admin routes without the ops token, or with a wrong one', async () => {
    const http = (await world.startReplica()).getHttpServer();
    await request(http).get('/admin/messaging').expect(401);
    await request(http).get('/admin/messaging').set('authorization', 'Bearer wrong-token-of-the-same-size!!!!').expect(401);
    await request(http).post('/admin/messaging/outbox/relay').expect(401);
  });

  it('serves them with the token', async () => {
    const http = (await world.startReplica()).getHttpServer();
    const { body } = await request(http).get('/admin/messaging').set('authorization', `Bearer ${OPS_TOKEN}`).expect(200);
    expect(body).toMatchObject({ outbox: { status: 'up', pending: 0 }, sqs: { status: 'up' }, consumer: { status: 'up' } });
    await request(http).post('/admin/messaging/outbox/relay').set('authorization', `Bearer ${OPS_TOKEN}`).expect(202);
    const sweep = await request(http).post('/admin/messaging/retention/sweep').set('authorization', `Bearer ${OPS_TOKEN}`).expect(201);
    expect(sweep.body).toEqual({ outbox: 0, inbox: 0, processInstances: 0 });
  });

  it('hides admin routes entirely when no ops token is configured', async () => {
    const http = (await world.startReplica({ OPS_TOKEN: '' })).getHttpServer();
    await request(http).get('/admin/messaging').set('authorization', `Bearer ${OPS_TOKEN}`).expect(404);
  });

  it('answers 413 to a body over the limit, before any handler runs', async () => {
    const http = (await world.startReplica()).getHttpServer();
    await request(http)
      .post('/admin/messaging/outbox/relay')
      .set('authorization', `Bearer ${OPS_TOKEN}`)
      .send({ padding: 'x'.repeat(2048) })
      .expect(413);
  });

  describe('the routes the operations console reads', () => {
    const admin = (http: unknown, path: string) => request(http as Parameters<typeof request>[0]).get(`/admin/messaging${path}`).set('authorization', `Bearer ${OPS_TOKEN}`);

    /** Publishes one widget under its own correlation id, and waits until the replica handled it. */
    async function publishWidget(app: Awaited<ReturnType<TestServiceWorld['startReplica']>>, widgetId = `w-${randomUUID()}`) {
      const correlationId = `flow-${randomUUID()}`;
      const dataSource = app.get<DataSource>(getDataSourceToken());
      await runInMessageContext({ correlationId }, () =>
        dataSource.transaction((manager) => app.get(Outbox).publish(manager, WidgetCreated, { widgetId, label: 'flow' }, { subject: widgetId })),
      );
      const [{ event_id: eventId }] = await dataSource.query(`SELECT event_id FROM widgets.outbox_messages WHERE envelope->>'subject' = $1`, [widgetId]);
      await waitFor(async () => (await dataSource.query(`SELECT 1 FROM widgets.inbox_messages WHERE event_id = $1`, [eventId])).length === 1, { what: 'the widget handled' });
      return { correlationId, widgetId, eventId: String(eventId) };
    }

    it('finds one business transaction by correlation id, subject or event id, and who handled its events', async () => {
      const app = await world.startReplica();
      const http = app.getHttpServer();
      const { correlationId, widgetId, eventId } = await publishWidget(app);

      for (const query of [`correlationId=${correlationId}`, `subject=${widgetId}`, `eventId=${eventId}`]) {
        const { body } = await admin(http, `/flow?${query}`).expect(200);
        expect(body.events).toEqual([expect.objectContaining({ eventId, type: WidgetCreated.type, envelope: expect.objectContaining({ correlationid: correlationId, subject: widgetId }) })]);
        expect(body.events[0].publishedAt).not.toBeNull();
      }
      const { body } = await admin(http, `/inbox?eventId=${eventId}&eventId=${randomUUID()}`).expect(200);
      expect(body.handled).toEqual([expect.objectContaining({ eventId, consumer: 'widgets', type: WidgetCreated.type, handledAt: expect.any(String) })]);
    });

    it('pages published events for a replay, and counts them', async () => {
      const app = await world.startReplica();
      const http = app.getHttpServer();
      const since = new Date().toISOString();
      await publishWidget(app);
      await publishWidget(app);
      await waitFor(async () => (await admin(http, `/outbox/published?type=${WidgetCreated.type}&since=${since}`)).body.count === 2, { what: 'both published' });
      const first = await admin(http, `/outbox/published?type=${WidgetCreated.type}&since=${since}&limit=1`).expect(200);
      expect(first.body).toMatchObject({ count: 2, events: [expect.objectContaining({ type: WidgetCreated.type })] });
      const second = await admin(http, `/outbox/published?type=${WidgetCreated.type}&since=${since}&limit=1&after=${first.body.events[0].id}`).expect(200);
      expect(second.body.events).toHaveLength(1);
      expect(second.body.events[0].id).not.toBe(first.body.events[0].id);
    });

    it('reports the outbox backlog and the metrics snapshot', async () => {
      // A world of its own: with one replica on the queue, this replica's counters see the handling.
      const alone = await widgetWorld({ OPS_TOKEN });
      try {
        const app = await alone.startReplica();
        const http = app.getHttpServer();
        await publishWidget(app);
        const outbox = await admin(http, '/outbox').expect(200);
        expect(outbox.body).toMatchObject({ summary: { pending: 0, failing: 0, parked: 0, scheduled: 0, published: 1 }, pending: [], parked: [], scheduled: [] });
        const metrics = await waitFor(async () => {
          const { body } = await admin(http, '/metrics').expect(200);
          return body.handled === 1 ? body : undefined;
        }, { what: 'the handling counted' });
        expect(metrics).toMatchObject({ received: 1, deadLettered: 0, published: 1 });
        expect(metrics.handlerDuration.at(-1)).toEqual({ le: null, count: 1 });
      } finally {
        await alone.stop();
      }
    });

    it('answers how each handling went: the delivery and the try that succeeded, and how long the handler ran', async () => {
      // A world of its own: its one replica is the one whose handler fails.
      const alone = await widgetWorld({ OPS_TOKEN });
      try {
        const app = await alone.startReplica();
        // Fails the first delivery's try and both immediate retries: the second delivery succeeds.
        const widgetId = `w-${randomUUID()}`;
        app.get(WidgetBehaviour).failTimes(widgetId, 3);
        const { eventId } = await publishWidget(app, widgetId);
        // The duration is written shortly after the handler's commit.
        const body = await waitFor(async () => {
          const { body: answer } = await admin(app.getHttpServer(), `/inbox?eventId=${eventId}`).expect(200);
          return answer.handled[0]?.durationMs !== null ? answer : undefined;
        }, { what: 'the handler duration recorded' });
        expect(body.handled).toEqual([expect.objectContaining({ eventId, consumer: 'widgets', attempts: 2, tries: 1, durationMs: expect.any(Number) })]);
        expect(body.handled[0].durationMs).toBeGreaterThanOrEqual(0);
      } finally {
        await alone.stop();
      }
    });

    it('answers 400 naming the parameter to a bad query', async () => {
      const http = (await world.startReplica()).getHttpServer();
      expect((await admin(http, '/flow').expect(400)).body.message).toEqual([expect.stringMatching(/^correlationId:/)]);
      expect((await admin(http, '/outbox/published?type=x&since=yesterday').expect(400)).body.message).toEqual([expect.stringMatching(/^since:/)]);
      expect((await admin(http, '/outbox?limit=0').expect(400)).body.message).toEqual([expect.stringMatching(/^limit:/)]);
      await request(http).get('/admin/messaging/flow?correlationId=x').expect(401);
    });
  });
});
