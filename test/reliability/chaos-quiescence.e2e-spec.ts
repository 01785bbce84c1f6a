import { createSqsClient, loadConfig, messagingEnvSchema } from '@app/messaging';
import { isolatedEnvironment } from '@app/messaging/testing';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from 'pg';
import { connectTo } from '../../libs/messaging/test/support/database';
import { SCHEMAS } from '../../tools/chaos/snapshot';
import { stillMoving } from '../../tools/chaos/quiescence';

/** When the chaos run may call the shop settled: only the outbox columns and order states it reads. */
describe('chaos run: settling', () => {
  let db: Client;
  let sqs: SQSClient;

  beforeAll(async () => {
    const env = await isolatedEnvironment();
    db = await connectTo(env);
    for (const schema of SCHEMAS) {
      await db.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".outbox_messages (id bigserial PRIMARY KEY, published_at timestamptz, deliver_at timestamptz)`);
    }
    await db.query(`CREATE TABLE orders.orders (id bigserial PRIMARY KEY, status text NOT NULL)`);
    sqs = createSqsClient(loadConfig(messagingEnvSchema, env).aws);
  });

  afterAll(async () => {
    sqs?.destroy();
    await db?.end();
  });

  beforeEach(() => db.query('TRUNCATE orders.outbox_messages, orders.orders'));

  it('regression: a timer falling due while the shop settles (a deadline seconds away) keeps it moving, so no snapshot catches its message in flight', async () => {
    await db.query(`INSERT INTO orders.outbox_messages (deliver_at) VALUES (now() + interval '5 seconds')`);
    expect(await stillMoving(db, sqs, [], 90_000)).toEqual(['orders outbox: 1 unsent']);
  });

  it('leaves out a timer due after the settling window (the default deadline, minutes away): it is waiting, not moving', async () => {
    await db.query(`INSERT INTO orders.outbox_messages (deliver_at) VALUES (now() + interval '15 minutes')`);
    expect(await stillMoving(db, sqs, [], 90_000)).toEqual([]);
  });

  it('counts unsent events and orders not yet finished, and nothing once all is sent and finished', async () => {
    await db.query(`INSERT INTO orders.outbox_messages (deliver_at, published_at) VALUES (NULL, NULL), (NULL, now())`);
    await db.query(`INSERT INTO orders.orders (status) VALUES ('PENDING_PAYMENT'), ('SHIPPED'), ('CANCELLED')`);
    expect(await stillMoving(db, sqs, [], 90_000)).toEqual(['orders outbox: 1 unsent', '1 order(s) PENDING_PAYMENT']);
    await db.query(`UPDATE orders.outbox_messages SET published_at = now(); UPDATE orders.orders SET status = 'SHIPPED'`);
    expect(await stillMoving(db, sqs, [], 90_000)).toEqual([]);
  });
});
