import { applyTopology, createSnsClient, createSqsClient, planTopology, type MessagingConfig, type PlannedAction } from '@app/messaging';
import { services } from '../services';

export function plan(config: MessagingConfig): PlannedAction[] {
  return planTopology(
    services.map((service) => service.topology),
    { prefix: config.topologyPrefix, maxReceiveCount: config.consumer.maxReceiveCount },
  );
}

/** Creates or updates every topic, queue, DLQ and subscription the shop needs. Idempotent. */
export async function provision(config: MessagingConfig): Promise<PlannedAction[]> {
  const actions = plan(config);
  const sns = createSnsClient(config.aws);
  const sqs = createSqsClient(config.aws);
  try {
    await applyTopology(actions, { sns, sqs }, {
      aws: config.aws,
      prefix: config.topologyPrefix,
      maxReceiveCount: config.consumer.maxReceiveCount,
      visibilityTimeoutSeconds: config.consumer.visibilityTimeoutSeconds,
    });
  } finally {
    sns.destroy();
    sqs.destroy();
  }
  return actions;
}

export function describeAction(action: PlannedAction): string {
  switch (action.kind) {
    case 'topic':
      return `topic        ${action.name}`;
    case 'queue':
      return `queue        ${action.name}${action.deadLetterQueue ? ` (DLQ ${action.deadLetterQueue} after ${action.maxReceiveCount} receives; accepts ${action.allowedTopics.join(', ')})` : ''}`;
    case 'subscription':
      return `subscription ${action.topic} → ${action.queue} [${action.filterPolicy.type.join(', ')}]`;
  }
}
