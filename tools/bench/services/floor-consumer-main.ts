import type { Message } from '@aws-sdk/client-sqs';
import { Pool, escapeLiteral } from 'pg';
import { Consumer } from 'sqs-consumer';
import { HandledTally, serveCommands } from '../infrastructure/ipc-protocol';
import { baselineConsumerEnvironment } from './baseline-environment';
import type { BareConsumerOptions } from './bare-consumer-main';

/** What the bench passes in BENCH_CONSUMER: the bare consumer's options, the pool and the two tables. */
export interface FloorConsumerOptions extends BareConsumerOptions {
  poolSize: number;
  /** Receives in hand at once: the library's CONSUMER_CONCURRENCY over its batch size. */
  pollers: number;
  inboxTable: string;
  rowsTable: string;
}

/**
 * The floor of a consumer with an inbox here: the SQL the library sends per event, and nothing
 * else. Each event in a transaction of its own, on raw pg: BEGIN with the inbox INSERT (one simple
 * query), the handler's INSERT, COMMIT; then one DeleteMessageBatch per receive, as the bare
 * consumer does. No envelope or payload validation, no framework, no metrics, logs, tracing,
 * timeouts or retries: what it costs is what any Node consumer with this guarantee costs at least.
 * As many sqs-consumers as the library keeps receives in hand, so receiving overlaps handling.
 */
function main(): void {
  const { options, sqs } = baselineConsumerEnvironment<FloorConsumerOptions>();
  // PG* variables, as every service of the bench gets them.
  const pool = new Pool({ max: options.poolSize, application_name: 'bench-floor-consumer' });
  const tally = new HandledTally();

  const handle = async (message: Message): Promise<void> => {
    const event = JSON.parse(message.Body ?? '') as { id: string; type: string; data: { orderId: string } };
    const client = await pool.connect();
    try {
      const [, inbox] = (await client.query(
        `BEGIN; INSERT INTO ${options.inboxTable} (event_id, consumer, type) VALUES (${escapeLiteral(event.id)}, 'bench-floor', ${escapeLiteral(event.type)}) ON CONFLICT DO NOTHING RETURNING event_id`,
      )) as unknown as [unknown, { rowCount: number }];
      if (inbox.rowCount > 0) await client.query(`INSERT INTO ${options.rowsTable} (event_id, order_id) VALUES ($1, $2)`, [event.id, event.data.orderId]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const { queueUrl, batchSize, waitTimeSeconds, visibilityTimeout, heartbeatInterval } = options;
  const consumers = Array.from({ length: options.pollers }, () =>
    Consumer.create({
      queueUrl,
      batchSize,
      waitTimeSeconds,
      visibilityTimeout,
      heartbeatInterval,
      sqs,
      messageAttributeNames: ['All'],
      messageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SentTimestamp'],
      handleMessageBatch: async (messages: Message[]) => {
        tally.started();
        await Promise.all(messages.map(handle));
        tally.add(messages.length);
        return messages;
      },
    }),
  );
  for (const consumer of consumers) {
    consumer.on('error', (error) => console.error(error));
    consumer.start();
  }
  serveCommands(tally.commands, async () => {
    consumers.forEach((consumer) => consumer.stop({ abort: true }));
    await pool.end();
    sqs.destroy();
  });
}

main();
