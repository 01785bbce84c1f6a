import { SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Inject, Injectable } from '@nestjs/common';
import { deadLetterAttributes } from './dead-letter-record';
import { QUEUE_LOCATOR, SQS_CLIENT } from './queue-addresses';
import type { QueueLocator } from './queue-locator';

/**
 * Moves a message to the service's DLQ with its code and reason (the queue's redrive policy would
 * move it without either), keeping its body and every attribute it had.
 */
@Injectable()
export class DeadLetterQueue {
  constructor(
    @Inject(SQS_CLIENT) private readonly sqs: SQSClient,
    @Inject(QUEUE_LOCATOR) private readonly locator: QueueLocator,
  ) {}

  async send(message: Message, why: { code: string; reason: string }): Promise<void> {
    const { queueUrl, deadLetterQueueUrl } = this.locator.addresses;
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: deadLetterAttributes(message, { ...why, sourceQueue: queueUrl, at: new Date() }),
        ...(deadLetterQueueUrl.endsWith('.fifo')
          ? { MessageGroupId: message.Attributes?.MessageGroupId ?? 'dead-letters', MessageDeduplicationId: message.MessageId }
          : {}),
      }),
    );
  }
}
