import { DEAD_LETTER_ATTRIBUTES } from '@app/messaging';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from 'pg';
import type { DeadLetterRow, ShopSnapshot } from './invariants';

export interface QueueNames {
  service: string;
  queue: string;
  deadLetterQueue: string;
}

/** Service schemas, each with its own outbox. */
export const SCHEMAS = ['orders', 'inventory', 'payments', 'billing', 'shipping', 'notifications'] as const;

/** Reads every service's schema directly (not through its API) and the depth of every queue. */
export async function readSnapshot(db: Client, sqs: SQSClient, queues: readonly QueueNames[], skus: readonly string[]): Promise<ShopSnapshot> {
  const rows = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await db.query(sql, params)).rows as T[];
  const outboxes = [];
  for (const schema of SCHEMAS) {
    // Timers not due yet (payment deadlines of settled orders) are not unsent events.
    const [{ pending }] = await rows<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM "${schema}".outbox_messages WHERE published_at IS NULL AND (deliver_at IS NULL OR deliver_at <= now())`,
    );
    const repeated = await rows<{ type: string; subject: string; times: number }>(
      `SELECT type, envelope->>'subject' AS subject, count(*)::int AS times FROM "${schema}".outbox_messages GROUP BY 1, 2 HAVING count(*) > 1`,
    );
    outboxes.push({ schema, pending, repeated });
  }
  const stock = await rows<{ sku: string; available: number; reserved: number }>(`SELECT sku, available, reserved FROM inventory.stock_items WHERE sku = ANY($1::text[])`, [skus]);
  return {
    orders: await rows(
      `SELECT o.id, k.key, o.customer_id AS "customerId", o.status, o.cancellation_reason AS reason, o.total::float8 AS total, o.lines
       FROM orders.orders o LEFT JOIN orders.idempotency_keys k ON k.order_id = o.id`,
    ),
    repeatedStatuses: await rows(
      `SELECT order_id AS "orderId", status, count(*)::int AS times FROM orders.order_status_changes GROUP BY 1, 2 HAVING count(*) > 1`,
    ),
    reservations: await rows(`SELECT order_id AS "orderId", status FROM inventory.reservations`),
    payments: await rows(`SELECT order_id AS "orderId", status, amount::float8 AS amount FROM payments.payments`),
    refunds: await rows(`SELECT order_id AS "orderId", amount::float8 AS amount FROM payments.refunds`),
    // The provider's keys name the order: charge:<orderId>, refund:<orderId>.
    provider: await rows(
      `SELECT split_part(idempotency_key, ':', 2) AS "orderId", operation, approved, amount::float8 AS amount FROM payments.simulated_provider_operations`,
    ),
    invoices: await rows(`SELECT order_id AS "orderId", number, amount::float8 AS amount FROM billing.invoices`),
    invoiceCounters: await rows(`SELECT series, last_number::int AS "lastNumber" FROM billing.invoice_counters`),
    shipments: await rows(`SELECT order_id AS "orderId" FROM shipping.shipments`),
    notifications: await rows(`SELECT order_id AS "orderId", event_type AS "eventType" FROM notifications.notifications`),
    stock: Object.fromEntries(stock.map((row) => [row.sku, { available: row.available, reserved: row.reserved }])),
    outboxes,
    queues: await Promise.all(queues.map(async ({ queue }) => ({ name: queue, ...(await queueDepth(sqs, queue)) }))),
    deadLetters: (await Promise.all(queues.map(({ service, deadLetterQueue }) => drainDeadLetters(sqs, service, deadLetterQueue)))).flat(),
  };
}

export async function queueDepth(sqs: SQSClient, name: string): Promise<{ waiting: number; inFlight: number; delayed: number }> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    waiting: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** Everything in a DLQ, hidden for the rest of the run (nothing else reads it by then). */
async function drainDeadLetters(sqs: SQSClient, service: string, name: string): Promise<DeadLetterRow[]> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  const letters: DeadLetterRow[] = [];
  for (let round = 0; round < 1000; round++) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 600 }));
    if (Messages.length === 0) break;
    for (const message of Messages) {
      letters.push({
        service,
        body: message.Body ?? '',
        code: message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]?.StringValue,
        reason: message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue,
      });
    }
  }
  return letters;
}
