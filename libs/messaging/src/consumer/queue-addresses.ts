/** Name of the service's one SQS consumer in @ssut/nestjs-sqs. */
export const INBOX_CONSUMER = 'messaging.inbox';
/** The service's SQS client: the consumer's, the dead-letter queue's and the health checks'. */
export const SQS_CLIENT = Symbol('SQS_CLIENT');
export const QUEUE_ADDRESSES = Symbol('QUEUE_ADDRESSES');

export interface QueueAddresses {
  queueUrl: string;
  deadLetterQueueUrl: string;
}
