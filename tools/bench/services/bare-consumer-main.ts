import { SQSClient, type Message } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { monotonicMs, serveCommands } from '../infrastructure/ipc-protocol';

/** What the bench passes in BENCH_CONSUMER: the options the library gives its own consumer. */
export interface BareConsumerOptions {
  queueUrl: string;
  batchSize: number;
  waitTimeSeconds: number;
  visibilityTimeout: number;
  heartbeatInterval: number;
  /** Acknowledge a whole receive with one DeleteMessageBatch instead of one DeleteMessage per message. */
  batchDelete?: boolean;
}

/**
 * The consumer's physical limit: a bare sqs-consumer on the sink's queue with the library's options
 * (batch size, wait, visibility, heartbeat, attributes), a handler that does nothing, and the same
 * acknowledgement (one DeleteMessageBatch per receive, or one DeleteMessage each when asked). It loads nothing but the SQS client, so its memory is a floor for a consumer
 * process as well.
 */
function main(): void {
  const options = JSON.parse(process.env.BENCH_CONSUMER ?? '') as BareConsumerOptions;
  if (!process.env.AWS_ENDPOINT_URL) throw new Error('AWS_ENDPOINT_URL must point at the emulator');
  const sqs = new SQSClient({
    region: process.env.AWS_REGION,
    endpoint: process.env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '' },
  });
  let handled = 0;
  let firstAt: number | undefined;
  const { batchDelete, ...consumerOptions } = options;
  const consumer = Consumer.create({
    ...consumerOptions,
    sqs,
    messageAttributeNames: ['All'],
    messageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SentTimestamp'],
    ...(batchDelete
      ? {
          handleMessageBatch: async (messages: Message[]) => {
            firstAt ??= monotonicMs();
            handled += messages.length;
            return messages;
          },
        }
      : {
          handleMessage: async (message: Message) => {
            firstAt ??= monotonicMs();
            handled += 1;
            return message;
          },
        }),
  });
  consumer.on('error', (error) => console.error(error));
  consumer.start();
  serveCommands(
    {
      reset: () => {
        handled = 0;
        firstAt = undefined;
      },
      handled: () => ({ handled, firstAt }),
    },
    async () => {
      consumer.stop({ abort: true });
      sqs.destroy();
    },
  );
}

main();
