import { createSqsClient, loadConfig, messagingEnvSchema } from '@app/messaging';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Client } from 'pg';

/**
 * Sends a raw body straight to a service's queue, as SNS would deliver it: how a spec makes the
 * broker deliver something twice, late, or out of turn.
 */
export async function sendToQueue(env: NodeJS.ProcessEnv, service: string, body: string): Promise<void> {
  const sqs = createSqsClient(loadConfig(messagingEnvSchema, env).aws);
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${env.TOPOLOGY_PREFIX}-${service}` }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
  } finally {
    sqs.destroy();
  }
}

/** The envelope a service published about an order, read from its outbox: the exact bytes SNS got. */
export async function publishedEnvelope(env: NodeJS.ProcessEnv, schema: string, type: string, orderId: string): Promise<Record<string, unknown>> {
  const client = new Client({ host: env.PGHOST, port: Number(env.PGPORT), user: env.PGUSER, password: env.PGPASSWORD, database: env.PGDATABASE });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT envelope FROM "${schema}".outbox_messages WHERE type = $1 AND envelope->'data'->>'orderId' = $2`, [type, orderId]);
    if (rows.length !== 1) throw new Error(`Expected one ${type} about ${orderId} in ${schema}'s outbox, found ${rows.length}`);
    return rows[0].envelope;
  } finally {
    await client.end();
  }
}

/** A counter from a service's /metrics, for the label set given (0 when it has not been touched). */
export function counterValue(metrics: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && wanted.every((label) => candidate.includes(label)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
