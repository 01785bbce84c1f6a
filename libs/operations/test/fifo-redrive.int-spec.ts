import { createSqsClient, defineEvent, defineService, loadConfig, messagingEnvSchema, TopologyNames } from '@app/messaging';
import { listDeadLetters, redriveDeadLetters, type QueueOps } from '@app/operations';
import { isolatedEnvironment, waitFor } from '@app/messaging/testing';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';

const Posted = defineEvent({ type: 'test.ledger.posted.v1', topic: 'ledger', schema: z.object({ seq: z.number() }), fifo: true });
const ledger = { name: 'ledger', topology: defineService({ service: 'ledger', publishes: [], consumes: [Posted] }), database: { schema: 'ledger' } };

describe('redrive of a FIFO dead-letter queue', () => {
  let sqs: SQSClient;
  let ops: QueueOps;
  let queueUrl: string;
  let deadLetterUrl: string;

  beforeAll(async () => {
    const config = loadConfig(messagingEnvSchema, await isolatedEnvironment());
    sqs = createSqsClient(config.aws);
    ops = { config, services: [ledger], sqs };
    const names = new TopologyNames(config.topologyPrefix);
    const fifo = { FifoQueue: 'true', ContentBasedDeduplication: 'false' };
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: names.queue(ledger.topology), Attributes: fifo }))).QueueUrl ?? '';
    deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: names.deadLetterQueue(ledger.topology), Attributes: fifo }))).QueueUrl ?? '';
  });

  afterAll(() => sqs?.destroy());

  const deadLetter = (group: string, seq: number) =>
    sqs.send(new SendMessageCommand({ QueueUrl: deadLetterUrl, MessageBody: JSON.stringify({ group, seq }), MessageGroupId: group, MessageDeduplicationId: `${group}-${seq}` }));

  /** Everything that arrives on the queue, in arrival order, acknowledged as it comes. */
  async function drain(expected: number): Promise<{ group: string; seq: number; groupId?: string }[]> {
    const seen: { group: string; seq: number; groupId?: string }[] = [];
    await waitFor(
      async () => {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['MessageGroupId'] }));
        for (const message of Messages) {
          seen.push({ ...JSON.parse(message.Body ?? '{}'), groupId: message.Attributes?.MessageGroupId });
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        }
        return seen.length >= expected ? seen : undefined;
      },
      { what: `${expected} redriven messages` },
    );
    return seen;
  }

  it("sends each group's dead letters back in their original order, in their own group", async () => {
    for (let seq = 1; seq <= 12; seq += 1) await deadLetter(seq % 2 ? 'order-a' : 'order-b', seq);
    const result = await redriveDeadLetters(ops, 'ledger', { all: true }, undefined, { browse: { holdSeconds: 30, waitSeconds: 0 }, ratePerSecond: 100 });
    expect(result).toMatchObject({ moved: 12, failed: [] });
    const arrived = await drain(12);
    for (const group of ['order-a', 'order-b']) {
      const mine = arrived.filter((message) => message.group === group);
      expect(mine.map((message) => message.seq)).toEqual([...mine.map((message) => message.seq)].sort((a, b) => a - b));
      expect(mine.every((message) => message.groupId === group)).toBe(true);
      expect(mine).toHaveLength(6);
    }
  });

  it("lists only the oldest dead letter of each group, as SQS hands out a FIFO group one message at a time", async () => {
    for (let seq = 1; seq <= 3; seq += 1) await deadLetter('order-c', seq);
    const listed = await waitFor(
      async () => {
        const { messages } = await listDeadLetters(ops, 'ledger', { limit: 10, browse: { holdSeconds: 5, waitSeconds: 0 } });
        return messages.length > 0 ? messages : undefined;
      },
      { what: 'the head of the group' },
    );
    expect(listed.map((letter) => JSON.parse(letter.body).seq)).toEqual([1]);
    // Retrying everything still moves the whole group, in order.
    expect(await redriveDeadLetters(ops, 'ledger', { all: true }, undefined, { browse: { holdSeconds: 30, waitSeconds: 0 } })).toMatchObject({ moved: 3 });
    expect((await drain(3)).map((message) => message.seq)).toEqual([1, 2, 3]);
  });
});
