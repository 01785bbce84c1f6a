import type { AwsConfig } from '../config/messaging-config';
import { queueArn, topicArn } from '../aws/aws-clients';
import { TopologyNames, type ServiceTopology } from './service-topology';

/**
 * The least-privilege IAM policy one service needs at run time: publish to its own topics, consume
 * its own queue (and send to it what it schedules for itself), and move poison to its own DLQ. Nothing may create or delete resources; that is
 * provisioning's job, with its own credentials.
 */
export function iamPolicyFor(topology: ServiceTopology, aws: AwsConfig, prefix: string) {
  const names = new TopologyNames(prefix);
  const statements: object[] = [];
  const topics = [...new Set(topology.publishes.map((contract) => topicArn(aws, names.topic(contract))))];
  if (topics.length > 0) {
    statements.push({ Sid: 'PublishOwnEvents', Effect: 'Allow', Action: ['sns:Publish'], Resource: topics });
  }
  if (topology.consumes.length > 0) {
    statements.push({
      Sid: 'ConsumeOwnQueue',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      Resource: [queueArn(aws, names.queue(topology))],
    });
    // The outbox's own-queue destination: scheduled messages a service sends itself (timers, process-manager timeouts).
    statements.push({ Sid: 'SendToOwnQueue', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queueArn(aws, names.queue(topology))] });
    statements.push({
      Sid: 'DeadLetterPoison',
      Effect: 'Allow',
      Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
      Resource: [queueArn(aws, names.deadLetterQueue(topology))],
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}
