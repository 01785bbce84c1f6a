import { SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Inject, Injectable } from '@nestjs/common';
import { deadLetterAttributes } from './dead-letter-record';
import { QUEUE_ADDRESSES, SQS_CLIENT, type QueueAddresses } from './queue-addresses';

/**
 * Moves a message to the service's DLQ with its code and reason (the queue's redrive policy would
 * move it without either), keeping its body and every attribute it had.
 */
@Injectable()
export class DeadLetterQueue {
  constructor(
    @Inject(SQS_CLIENT) private readonly sqs: SQSClient,
    @Inject(QUEUE_ADDRESSES) private readonly queues: QueueAddresses,
  ) {}

  async send(message: Message, why: { code: string; reason: string }): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queues.deadLetterQueueUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: deadLetterAttributes(message, { ...why, sourceQueue: this.queues.queueUrl, at: new Date() }),
        ...(this.queues.deadLetterQueueUrl.endsWith('.fifo')
          ? { MessageGroupId: message.Attributes?.MessageGroupId ?? 'dead-letters', MessageDeduplicationId: message.MessageId }
          : {}),
      }),
    );
  }
}
