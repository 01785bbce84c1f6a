import type { EventContract } from '../contracts/event-contract';

/**
 * What one service publishes and consumes. Provisioning derives the service's queue, DLQ,
 * subscriptions and filter policies from it, and at start-up the service checks that its
 * `@OnEvent` handlers match `consumes` exactly, so the two can never drift apart.
 */
export interface ServiceTopology {
  readonly service: string;
  readonly publishes: readonly EventContract[];
  readonly consumes: readonly EventContract[];
}

const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

export function defineService(topology: ServiceTopology): ServiceTopology {
  if (!SERVICE_NAME_PATTERN.test(topology.service)) {
    throw new Error(`Service name "${topology.service}" must be lowercase letters, digits and dashes`);
  }
  const fifo = topology.consumes.filter((contract) => contract.fifo);
  if (fifo.length > 0 && fifo.length !== topology.consumes.length) {
    // SNS delivers FIFO topics only to FIFO queues, and standard topics only to standard ones.
    throw new Error(`Service "${topology.service}" consumes FIFO and standard events; split it into two services`);
  }
  return Object.freeze(topology);
}

/** Names of the AWS resources of one deployment, all derived from a prefix (`shop`, `test-1a2b`). */
export class TopologyNames {
  constructor(readonly prefix: string) {}

  topic(contract: Pick<EventContract, 'topic' | 'fifo'>): string {
    return `${this.prefix}-${contract.topic}${contract.fifo ? '.fifo' : ''}`;
  }

  queue(topology: ServiceTopology): string {
    return `${this.prefix}-${topology.service}${isFifoConsumer(topology) ? '.fifo' : ''}`;
  }

  deadLetterQueue(topology: ServiceTopology): string {
    return `${this.prefix}-${topology.service}-dlq${isFifoConsumer(topology) ? '.fifo' : ''}`;
  }
}

export function isFifoConsumer(topology: ServiceTopology): boolean {
  return topology.consumes.some((contract) => contract.fifo);
}

export interface TopicSubscription {
  readonly topic: Pick<EventContract, 'topic' | 'fifo'>;
  readonly eventTypes: string[];
}

/** Consumed event types grouped by the topic they come from: one subscription per topic. */
export function subscriptionsOf(topology: ServiceTopology): TopicSubscription[] {
  const byTopic = new Map<string, TopicSubscription>();
  for (const contract of topology.consumes) {
    const subscription = byTopic.get(contract.topic) ?? { topic: contract, eventTypes: [] };
    subscription.eventTypes.push(contract.type);
    byTopic.set(contract.topic, subscription);
  }
  return [...byTopic.values()];
}
