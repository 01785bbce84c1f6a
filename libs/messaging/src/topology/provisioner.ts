import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  type Subscription,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueUrlCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsConfig } from '../config/messaging-config';
import type { EventContract } from '../contracts/event-contract';
import { queueArn, topicArn } from '../aws/aws-clients';
import { subscriptionsOf, TopologyNames, type ServiceTopology } from './service-topology';

/** The messaging attribute subscriptions filter on. */
export const EVENT_TYPE_ATTRIBUTE = 'type';

export interface ProvisionOptions {
  aws: AwsConfig;
  prefix: string;
  /** Receives after which SQS moves a message to the DLQ. */
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
}

export type PlannedAction =
  | { kind: 'topic'; name: string; fifo: boolean }
  | { kind: 'queue'; name: string; deadLetterQueue?: string; maxReceiveCount?: number; allowedTopics: string[] }
  | { kind: 'subscription'; topic: string; queue: string; filterPolicy: { [EVENT_TYPE_ATTRIBUTE]: string[] } };

/** Everything the services need, derived from their topologies, in the order it must be created. */
export function planTopology(topologies: readonly ServiceTopology[], options: Pick<ProvisionOptions, 'prefix' | 'maxReceiveCount'>): PlannedAction[] {
  const names = new TopologyNames(options.prefix);
  const topics = new Map<string, PlannedAction>();
  const addTopic = (contract: Pick<EventContract, 'topic' | 'fifo'>) =>
    topics.set(names.topic(contract), { kind: 'topic', name: names.topic(contract), fifo: contract.fifo });
  for (const topology of topologies) {
    topology.publishes.forEach(addTopic);
    topology.consumes.forEach(addTopic);
  }
  const queues: PlannedAction[] = [];
  const subscriptions: PlannedAction[] = [];
  for (const topology of topologies.filter((t) => t.consumes.length > 0)) {
    const queue = names.queue(topology);
    const deadLetterQueue = names.deadLetterQueue(topology);
    const consumed = subscriptionsOf(topology);
    queues.push({ kind: 'queue', name: deadLetterQueue, allowedTopics: [] });
    queues.push({
      kind: 'queue',
      name: queue,
      deadLetterQueue,
      maxReceiveCount: options.maxReceiveCount,
      allowedTopics: consumed.map(({ topic }) => names.topic(topic)),
    });
    for (const { topic, eventTypes } of consumed) {
      subscriptions.push({ kind: 'subscription', topic: names.topic(topic), queue, filterPolicy: { [EVENT_TYPE_ATTRIBUTE]: eventTypes } });
    }
  }
  return [...topics.values(), ...queues, ...subscriptions];
}

/**
 * Applies a plan idempotently: creating what is missing and bringing attributes of what exists
 * (redrive policy, queue policy, filter policy) to the planned values. Safe to run on every start.
 */
export async function applyTopology(plan: readonly PlannedAction[], clients: { sns: SNSClient; sqs: SQSClient }, options: ProvisionOptions): Promise<void> {
  for (const action of plan) {
    if (action.kind === 'topic') {
      await clients.sns.send(
        new CreateTopicCommand({ Name: action.name, Attributes: action.fifo ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' } : undefined }),
      );
    } else if (action.kind === 'queue') {
      await ensureQueue(clients.sqs, action, options);
    } else {
      await ensureSubscription(clients.sns, action, options.aws);
    }
  }
}

async function ensureQueue(sqs: SQSClient, action: Extract<PlannedAction, { kind: 'queue' }>, options: ProvisionOptions): Promise<void> {
  const fifo = action.name.endsWith('.fifo');
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: action.name, Attributes: fifo ? { FifoQueue: 'true' } : undefined }));
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds),
    // Dead letters are kept for the longest SQS allows, so an operator has time to look at them.
    MessageRetentionPeriod: action.deadLetterQueue ? '345600' : '1209600',
  };
  if (action.deadLetterQueue) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: queueArn(options.aws, action.deadLetterQueue),
      maxReceiveCount: action.maxReceiveCount,
    });
  }
  if (action.allowedTopics.length > 0) {
    attributes.Policy = JSON.stringify(queuePolicy(queueArn(options.aws, action.name), action.allowedTopics.map((topic) => topicArn(options.aws, topic))));
  }
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
}

/** Only the topics the queue subscribes to may send to it. */
export function queuePolicy(queue: string, topics: string[]) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowSubscribedTopicsOnly',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queue,
        Condition: { ArnEquals: { 'aws:SourceArn': topics } },
      },
    ],
  };
}

async function ensureSubscription(sns: SNSClient, action: Extract<PlannedAction, { kind: 'subscription' }>, aws: AwsConfig): Promise<void> {
  const TopicArn = topicArn(aws, action.topic);
  const Endpoint = queueArn(aws, action.queue);
  const FilterPolicy = JSON.stringify(action.filterPolicy);
  const existing = await findSubscription(sns, TopicArn, Endpoint);
  if (!existing?.SubscriptionArn) {
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint,
        ReturnSubscriptionArn: true,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy, FilterPolicyScope: 'MessageAttributes' },
      }),
    );
    return;
  }
  // The set of consumed types changes as a service grows: update the filter in place.
  await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: existing.SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: FilterPolicy }));
  await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: existing.SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' }));
}

async function findSubscription(sns: SNSClient, topic: string, endpoint: string): Promise<Subscription | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic, NextToken }));
    const match = page.Subscriptions?.find((subscription) => subscription.Endpoint === endpoint && subscription.Protocol === 'sqs');
    if (match) return match;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

/** The queue does not exist: a deployment mistake (provisioning has not run), not an outage. */
export class QueueNotFoundError extends Error {
  override readonly name = 'QueueNotFoundError';
}

/** SQS's answers for a queue that does not exist (the JSON and the query protocols name it differently). */
const QUEUE_MISSING = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

/**
 * Resolves a queue's URL. A missing queue throws QueueNotFoundError, with the provisioning hint;
 * anything else (refused, timed out, throttled, a 5xx) is rethrown as it came, with the queue's
 * name: the broker could not answer, which says nothing about whether the queue exists.
 */
export async function locateQueue(sqs: SQSClient, name: string): Promise<string> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (QueueUrl) return QueueUrl;
    throw new QueueNotFoundError(`Queue "${name}" not found (no URL returned): run the provisioning step first (npm run provision)`);
  } catch (error) {
    if (error instanceof QueueNotFoundError) throw error;
    const code = (error as { name?: string; Code?: string }).Code ?? (error as { name?: string }).name ?? '';
    if (QUEUE_MISSING.has(code)) {
      throw new QueueNotFoundError(`Queue "${name}" not found: run the provisioning step first (npm run provision)`, { cause: error });
    }
    throw new Error(`Could not reach SQS to locate queue "${name}": ${(error as Error).message}`, { cause: error });
  }
}
