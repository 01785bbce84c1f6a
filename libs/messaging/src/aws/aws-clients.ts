import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsConfig } from '../config/messaging-config';

/**
 * Clients get an explicit endpoint when one is configured (an emulator): the SDK's own fallbacks
 * would otherwise quietly reach real AWS. On AWS, credentials come from the default provider chain
 * (IRSA on EKS, the task role on ECS). Every call is bounded: connecting by AWS_CONNECT_TIMEOUT_MS,
 * the whole request (a long poll included) by AWS_REQUEST_TIMEOUT_MS.
 */
function clientOptions(aws: AwsConfig) {
  return {
    region: aws.region,
    // Without these a black-holed broker connection waits on the operating system's timeouts.
    requestHandler: { connectionTimeout: aws.connectTimeoutMs, requestTimeout: aws.requestTimeoutMs },
    ...(aws.endpoint
      ? { endpoint: aws.endpoint, credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local' } }
      : {}),
  };
}

/**
 * The SDK's logger middleware copies every request and response through its sensitive-field filter
 * to build a log line, even when the client has no logger (its default one drops the line): each
 * PublishBatch's entries and each receive's messages, on every call. These clients are given no
 * logger, so the middleware goes; a failed call still rejects with its error, which the library logs.
 */
function withoutSdkLogLines<Client extends SNSClient | SQSClient>(client: Client): Client {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

export const createSnsClient = (aws: AwsConfig): SNSClient => withoutSdkLogLines(new SNSClient(clientOptions(aws)));
export const createSqsClient = (aws: AwsConfig): SQSClient => withoutSdkLogLines(new SQSClient(clientOptions(aws)));

export function topicArn(aws: AwsConfig, topicName: string): string {
  return `arn:aws:sns:${aws.region}:${aws.accountId}:${topicName}`;
}

export function queueArn(aws: AwsConfig, queueName: string): string {
  return `arn:aws:sqs:${aws.region}:${aws.accountId}:${queueName}`;
}
