import { createCloudEvent } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { counterValue, sendToQueue } from './broker';
import type { RunningShop, ShopServiceName } from './shop';

/** How many events of this type a service (one replica of it) has handled, not counting duplicates. */
export async function handledCount(app: INestApplication, type: string): Promise<number> {
  const { text } = await request(app.getHttpServer()).get('/metrics').expect(200);
  return counterValue(text, 'messaging_messages_handled_total', { type });
}

/**
 * Plays another service: puts an event about an order on this service's queue, as SNS would, and
 * waits until the service has handled it. How a spec makes events arrive in the order it chooses.
 */
export async function deliver(shop: RunningShop, service: ShopServiceName, type: string, orderId: string, data: Record<string, unknown>, correlationId = `spec-${orderId}`): Promise<void> {
  const app = shop.replicasOf(service)[0];
  const before = await handledCount(app, type);
  const envelope = createCloudEvent({ source: '/spec', type, subject: orderId, correlationId, data: { orderId, ...data } });
  await sendToQueue(shop.env, service, JSON.stringify(envelope));
  await waitFor(async () => (await handledCount(app, type)) > before || undefined, { what: `${service} to handle ${type} about ${orderId}` });
}

/** A connection to the spec's own database, for what no API shows (a provider's records, an outbox). */
export async function connect(env: NodeJS.ProcessEnv): Promise<Client> {
  const client = new Client({ host: env.PGHOST, port: Number(env.PGPORT), user: env.PGUSER, password: env.PGPASSWORD, database: env.PGDATABASE });
  await client.connect();
  return client;
}

/** What the simulated payment provider did about an order, by its own records. */
export async function providerOperations(db: Client, orderId: string): Promise<{ operation: string; approved: boolean; amount: number }[]> {
  const { rows } = await db.query(
    `SELECT operation, approved, amount::float8 AS amount FROM payments.simulated_provider_operations WHERE idempotency_key IN ($1, $2) ORDER BY created_at`,
    [`charge:${orderId}`, `refund:${orderId}`],
  );
  return rows;
}

/** The types of the events a service published about an order, in order. */
export async function publishedTypes(db: Client, schema: string, orderId: string): Promise<string[]> {
  const { rows } = await db.query(`SELECT type FROM "${schema}".outbox_messages WHERE envelope->>'subject' = $1 ORDER BY id`, [orderId]);
  return rows.map((row) => row.type);
}
