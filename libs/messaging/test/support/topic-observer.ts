import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { createSnsClient, createSqsClient, queueArn, topicArn, TopologyNames, type EventContract, type MessagingConfig } from '@app/messaging';

/**
 * A raw, unfiltered queue on a topic that only the test reads: it sees every copy SNS delivered,
 * which the inbox of a real consumer would hide.
 */
export async function observeTopic(config: MessagingConfig, contract: EventContract, name = 'observer') {
  const sns = createSnsClient(config.aws);
  const sqs = createSqsClient(config.aws);
  const queueName = `${config.topologyPrefix}-${name}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn(config.aws, new TopologyNames(config.topologyPrefix).topic(contract)),
      Protocol: 'sqs',
      Endpoint: queueArn(config.aws, queueName),
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const seen: Message[] = [];
  return {
    seen,
    /** Receives whatever is there now, adds it to `seen`, and returns all seen so far. */
    async receive(waitSeconds = 0): Promise<Message[]> {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageAttributeNames: ['All'] }));
      if (Messages.length > 0) {
        seen.push(...Messages);
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
      }
      return seen;
    },
    /**
     * Receives until a long poll comes back empty: call it once the sender is idle, and a late
     * duplicate still on its way shows up in what it returns.
     */
    async untilQuiet(waitSeconds = 2): Promise<Message[]> {
      for (;;) {
        const before = seen.length;
        await this.receive(waitSeconds);
        if (seen.length === before) return seen;
      }
    },
    close(): void {
      sns.destroy();
      sqs.destroy();
    },
  };
}
