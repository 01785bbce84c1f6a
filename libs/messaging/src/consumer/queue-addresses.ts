/** Name of the service's one SQS consumer in @ssut/nestjs-sqs. */
export const INBOX_CONSUMER = 'messaging.inbox';
/** The service's SQS client: the consumer's, the dead-letter queue's and the health checks'. */
export const SQS_CLIENT = Symbol('SQS_CLIENT');
/** The service's QueueLocator: where its queue and DLQ are, once they have been found. */
export const QUEUE_LOCATOR = Symbol('QUEUE_LOCATOR');

export interface QueueAddresses {
  queueUrl: string;
  deadLetterQueueUrl: string;
}
