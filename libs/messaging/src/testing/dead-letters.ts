import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES } from '../consumer/dead-letter-record';

export interface DeadLetter {
  body: string;
  code?: string;
  reason?: string;
  sourceQueue?: string;
  message: Message;
}

/** Reads (and, unless told to keep them, removes) what is in a dead-letter queue now. */
export async function readDeadLetters(sqs: SQSClient, deadLetterQueueUrl: string, options: { keep?: boolean } = {}): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: options.keep ? 0 : 30 }),
    );
    if (Messages.length === 0) return letters;
    letters.push(
      ...Messages.map((message) => ({
        body: message.Body ?? '',
        code: message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]?.StringValue,
        reason: message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue,
        sourceQueue: message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.sourceQueue]?.StringValue,
        message,
      })),
    );
    if (options.keep) return letters;
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: deadLetterQueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }
}
