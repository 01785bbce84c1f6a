import type { Message } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { HandledTally, serveCommands } from '../infrastructure/ipc-protocol';
import { baselineConsumerEnvironment } from './baseline-environment';

/** What the bench passes in BENCH_CONSUMER: the options the library gives its own consumer. */
export interface BareConsumerOptions {
  queueUrl: string;
  batchSize: number;
  waitTimeSeconds: number;
  visibilityTimeout: number;
  heartbeatInterval: number;
}

/**
 * The consumer's physical limit: a bare sqs-consumer on the sink's queue with the library's options
 * (batch size, wait, visibility, heartbeat, attributes), a handler that does nothing, and the same
 * acknowledgement (one DeleteMessageBatch per receive). It loads nothing but the SQS client, so its
 * memory is a floor for a consumer process as well.
 */
function main(): void {
  const { options, sqs } = baselineConsumerEnvironment<BareConsumerOptions>();
  const tally = new HandledTally();
  const consumer = Consumer.create({
    ...options,
    sqs,
    messageAttributeNames: ['All'],
    messageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SentTimestamp'],
    handleMessageBatch: async (messages: Message[]) => {
      tally.started();
      tally.add(messages.length);
      return messages;
    },
  });
  consumer.on('error', (error) => console.error(error));
  consumer.start();
  serveCommands(tally.commands, async () => {
    consumer.stop({ abort: true });
    sqs.destroy();
  });
}

main();
