import type { SQSClient } from '@aws-sdk/client-sqs';
import { OrderPlaced } from '@app/contracts';
import { MessageHandlerConfigBuilder } from '@message-queue-toolkit/core';
import { AbstractSqsConsumer, type SQSConsumerDependencies } from '@message-queue-toolkit/sqs';
import { Pool } from 'pg';
import pino from 'pino';
import { z } from 'zod';
import { HandledTally, serveCommands } from '../infrastructure/ipc-protocol';
import { baselineConsumerEnvironment } from './baseline-environment';

/** What the bench passes in BENCH_CONSUMER: the options the library gives its own consumer, and where the handler writes. */
export interface ToolkitConsumerOptions {
  queueUrl: string;
  batchSize: number;
  waitTimeSeconds: number;
  heartbeatInterval: number;
  poolSize: number;
  /** The table the handler inserts one row per event into (event id, order id). */
  table: string;
}

/** The OrderPlaced envelope as it arrives (raw SNS delivery): routed on `type`, the payload validated by the contract. */
const orderPlacedMessage = z.looseObject({
  id: z.string(),
  type: z.literal(OrderPlaced.type),
  time: z.string(),
  data: OrderPlaced.schema,
});
type OrderPlacedMessage = z.infer<typeof orderPlacedMessage>;

interface HandlerContext {
  pool: Pool;
  table: string;
  onStarted(): void;
  onHandled(): void;
}

type ErrorResolver = SQSConsumerDependencies['consumerErrorResolver'];

/** Errors are reported as they are thrown (the toolkit wants them in its own error shape). */
const passErrorsThrough: ErrorResolver = { processError: (error: unknown) => error as ReturnType<ErrorResolver['processError']> };

/**
 * A consumer written the way message-queue-toolkit's users write one: a subclass of its SQS
 * consumer, a handler per message type with a zod schema, its default error handling and
 * acknowledgement. The handler does the sink's work without an inbox: one INSERT of the event's row,
 * in its own (autocommit) transaction, on a pool as large as the library's.
 */
class OrderPlacedToolkitConsumer extends AbstractSqsConsumer<OrderPlacedMessage, HandlerContext> {
  constructor(sqsClient: SQSClient, options: ToolkitConsumerOptions, context: HandlerContext) {
    const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
    super(
      {
        sqsClient,
        logger,
        errorReporter: { report: ({ error }) => logger.error({ err: error }, 'consumer error') },
        consumerErrorResolver: passErrorsThrough,
        transactionObservabilityManager: { start: () => undefined, startWithGroup: () => undefined, stop: () => undefined, addCustomAttributes: () => undefined },
      },
      {
        locatorConfig: { queueUrl: options.queueUrl },
        messageTypeResolver: { messageTypePath: 'type' },
        messageIdField: 'id',
        messageTimestampField: 'time',
        handlers: new MessageHandlerConfigBuilder<OrderPlacedMessage, HandlerContext>()
          .addConfig(orderPlacedMessage, async (message, { pool, table, onStarted, onHandled }) => {
            onStarted();
            await pool.query(`INSERT INTO ${table} (event_id, order_id) VALUES ($1, $2)`, [message.id, message.data.orderId]);
            onHandled();
            return { result: 'success' };
          })
          .build(),
        consumerOverrides: { batchSize: options.batchSize, waitTimeSeconds: options.waitTimeSeconds, heartbeatInterval: options.heartbeatInterval },
      },
      context,
    );
  }
}

async function main(): Promise<void> {
  const { options, sqs } = baselineConsumerEnvironment<ToolkitConsumerOptions>();
  // PG* variables, as every service of the bench gets them.
  const pool = new Pool({ max: options.poolSize, application_name: 'bench-mqt-consumer' });
  const tally = new HandledTally();
  const consumer = new OrderPlacedToolkitConsumer(sqs, options, {
    pool,
    table: options.table,
    onStarted: () => tally.started(),
    onHandled: () => tally.add(),
  });
  await consumer.start();
  serveCommands(tally.commands, async () => {
    await consumer.close(true);
    await pool.end();
    sqs.destroy();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
