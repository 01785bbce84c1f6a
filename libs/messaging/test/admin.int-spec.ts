import request from 'supertest';
import type { TestServiceWorld } from './support/test-service-world';
import { widgetWorld } from './support/widget-service';

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
    expect(sweep.body).toEqual({ outbox: 0, inbox: 0 });
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
});
