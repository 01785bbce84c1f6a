import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { OrderPlaced } from '@app/contracts';
import { createSnsClient, loadConfig, messagingEnvSchema, topicArn, TopologyNames } from '@app/messaging';
import pLimit from 'p-limit';
import { Pool } from 'pg';
import { monotonicMs, serveCommands } from '../infrastructure/ipc-protocol';

export interface FloorRelayArgs {
  /** `"schema".outbox_messages`, its rows committed before the call. */
  table: string;
  count: number;
  /** PublishBatch calls in flight at most: the relay's OUTBOX_BATCHES_IN_FLIGHT. */
  concurrency: number;
}

/** Rounds side by side, and waves of calls each round's claim feeds: the library relay's shape. */
const ROUNDS = 2;
const WAVES_PER_CLAIM = 2;

/**
 * The floor of a relay that claims from Postgres here: the library relay's SQL shape and nothing
 * else. Rounds side by side, each leasing rows in id order with SKIP LOCKED in one statement, sending
 * them in PublishBatch calls of ten (at most `concurrency` in flight across rounds), then marking
 * them published in one statement. No wake-up (the rows are committed before the call), retries,
 * FIFO groups, due times, metrics, tracing or observers: what it costs is what any relay with a
 * claim costs at least.
 */
function main(): void {
  const config = loadConfig(messagingEnvSchema, process.env);
  const sns: SNSClient = createSnsClient(config.aws);
  const topic = topicArn(config.aws, new TopologyNames(config.topologyPrefix).topic(OrderPlaced));
  // PG* variables, as every service of the bench gets them.
  const pool = new Pool({ max: config.database.poolSize, application_name: 'bench-floor-relay' });
  const typeAttribute = { type: { DataType: 'String', StringValue: OrderPlaced.type } };

  const drain = async ({ table, count, concurrency }: FloorRelayArgs) => {
    const calls = pLimit(concurrency);
    const limit = WAVES_PER_CLAIM * 10 * concurrency;
    let sent = 0;
    const round = async () => {
      for (;;) {
        const { rows } = await pool.query<{ id: string; body: string }>(
          `UPDATE ${table} AS o SET leased_until = now() + interval '30 seconds'
           FROM (SELECT id FROM ${table} WHERE published_at IS NULL AND (leased_until IS NULL OR leased_until <= now()) ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED) AS claimed
           WHERE o.id = claimed.id RETURNING o.id, o.envelope::text AS body`,
        );
        if (rows.length === 0) return;
        const batches = Array.from({ length: Math.ceil(rows.length / 10) }, (_, index) => rows.slice(index * 10, index * 10 + 10));
        await Promise.all(
          batches.map((batch) =>
            calls(async () => {
              const entries = batch.map((row) => ({ Id: row.id, Message: row.body, MessageAttributes: typeAttribute }));
              const response = await sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: entries }));
              if (response.Failed?.length) throw new Error(`SNS refused ${response.Failed.length} entries: ${response.Failed[0].Code}`);
            }),
          ),
        );
        await pool.query(`UPDATE ${table} SET published_at = now(), leased_until = NULL WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
        sent += rows.length;
      }
    };
    const start = monotonicMs();
    await Promise.all(Array.from({ length: ROUNDS }, round));
    const elapsedMs = monotonicMs() - start;
    if (sent !== count) throw new Error(`the floor relay sent ${sent} rows, expected ${count}`);
    return { elapsedMs, sent };
  };

  serveCommands({ 'relay-floor': drain }, async () => {
    await pool.end();
    sns.destroy();
  });
}

main();
