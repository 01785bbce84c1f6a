import { ReceiveMessageCommand, SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { createSqsClient, DEAD_LETTER_ATTRIBUTES, locateQueue, originalAttributesOf, TopologyNames } from '@app/messaging';
import { HandlerSpy, waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import type { TestServiceWorld } from './support/test-service-world';
import { widgetTopology, widgetWorld } from './support/widget-service';

describe('dead letters', () => {
  let world: TestServiceWorld;
  let app: INestApplication;
  let sqs: ReturnType<typeof createSqsClient>;

  beforeAll(async () => {
    world = await widgetWorld();
    app = await world.startReplica();
    sqs = createSqsClient(world.config.aws);
  });

  afterAll(async () => {
    sqs?.destroy();
    await world?.stop();
  });

  it('regression: a message with ten attributes keeps all ten in the DLQ, and what a redrive sends is exactly the original', async () => {
    const names = new TopologyNames(world.config.topologyPrefix);
    const [queueUrl, deadLetterQueueUrl] = await Promise.all([locateQueue(sqs, names.queue(widgetTopology)), locateQueue(sqs, names.deadLetterQueue(widgetTopology))]);
    const original: Record<string, MessageAttributeValue> = {
      ...Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`attribute-${index}`, { DataType: 'String', StringValue: `value ${index}` }])),
      amount: { DataType: 'Number', StringValue: '12.50' },
      checksum: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 127, 128, 255]) },
    };
    const spy = HandlerSpy.attach(app);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not json: ten attributes', MessageAttributes: original }));
    await spy.waitForDeadLettered({ code: 'NOT_JSON' });
    const letter = await waitFor(async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }));
      return Messages.find((message) => message.Body === 'not json: ten attributes');
    }, { what: 'the dead letter' });
    expect(letter.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]?.StringValue).toBe('NOT_JSON');
    const restored = originalAttributesOf(letter);
    expect(restored).toEqual(original);

    // Sent back the way a redrive sends it, it arrives as the original did.
    await sqs.send(new SendMessageCommand({ QueueUrl: deadLetterQueueUrl, MessageBody: letter.Body, MessageAttributes: restored }));
    const again = await waitFor(async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }));
      return Messages.find((message) => message.Body === letter.Body && !message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]);
    }, { what: 'the resent message' });
    expect(again.MessageAttributes).toEqual(original);
  });
});
