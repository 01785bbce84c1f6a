import { z } from 'zod';
import { defineEvent } from '../contracts/event-contract';
import { iamPolicyFor } from './iam-policy';
import { planTopology, queuePolicy } from './provisioner';
import { defineService } from './service-topology';

const Placed = defineEvent({ type: 'shop.order.placed.v1', topic: 'orders', schema: z.object({}) });
const Cancelled = defineEvent({ type: 'shop.order.cancelled.v1', topic: 'orders', schema: z.object({}) });
const Paid = defineEvent({ type: 'shop.payment.completed.v1', topic: 'payments', schema: z.object({}) });
const Moved = defineEvent({ type: 'shop.parcel.moved.v1', topic: 'parcels', fifo: true, schema: z.object({}) });

const orders = defineService({ service: 'orders', publishes: [Placed, Cancelled], consumes: [Paid] });
const payments = defineService({ service: 'payments', publishes: [Paid], consumes: [Placed] });
const aws = { region: 'eu-west-1', accountId: '123456789012', endpoint: undefined, connectTimeoutMs: 3000, requestTimeoutMs: 30_000 };

describe('topology plan', () => {
  const plan = planTopology([orders, payments], { prefix: 'shop', maxReceiveCount: 5 });

  it('creates each topic once, before the queues and subscriptions that need it', () => {
    expect(plan.filter((action) => action.kind === 'topic').map((action) => action.kind === 'topic' && action.name)).toEqual(['shop-orders', 'shop-payments']);
    const kinds = plan.map((action) => action.kind);
    expect(kinds.lastIndexOf('topic')).toBeLessThan(kinds.indexOf('queue'));
    expect(kinds.lastIndexOf('queue')).toBeLessThan(kinds.indexOf('subscription'));
  });

  it('gives each consumer a queue with a DLQ and a redrive policy', () => {
    expect(plan).toContainEqual({ kind: 'queue', name: 'shop-payments-dlq', allowedTopics: [] });
    expect(plan).toContainEqual({ kind: 'queue', name: 'shop-payments', deadLetterQueue: 'shop-payments-dlq', maxReceiveCount: 5, allowedTopics: ['shop-orders'] });
  });

  it('subscribes with a filter policy on exactly the consumed event types', () => {
    expect(plan).toContainEqual({ kind: 'subscription', topic: 'shop-orders', queue: 'shop-payments', filterPolicy: { type: ['shop.order.placed.v1'] } });
  });

  it('names FIFO topics and queues with the .fifo suffix', () => {
    const tracker = defineService({ service: 'tracker', publishes: [], consumes: [Moved] });
    expect(planTopology([tracker], { prefix: 'shop', maxReceiveCount: 3 })).toEqual(
      expect.arrayContaining([
        { kind: 'topic', name: 'shop-parcels.fifo', fifo: true },
        expect.objectContaining({ kind: 'queue', name: 'shop-tracker.fifo', deadLetterQueue: 'shop-tracker-dlq.fifo' }),
      ]),
    );
  });

  it('refuses a service consuming FIFO and standard events from one queue', () => {
    expect(() => defineService({ service: 'mixed', publishes: [], consumes: [Moved, Paid] })).toThrow(/FIFO and standard/);
  });
});

describe('policies', () => {
  it('lets only the subscribed topics send to a queue', () => {
    const policy = queuePolicy('arn:aws:sqs:eu-west-1:123456789012:shop-payments', ['arn:aws:sns:eu-west-1:123456789012:shop-orders']);
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': ['arn:aws:sns:eu-west-1:123456789012:shop-orders'] } } }),
    ]);
  });

  it('grants a service publish on its own topics and consume on its own queue, nothing else', () => {
    const policy = iamPolicyFor(orders, aws, 'shop');
    expect(policy.Statement).toEqual([
      { Sid: 'PublishOwnEvents', Effect: 'Allow', Action: ['sns:Publish'], Resource: ['arn:aws:sns:eu-west-1:123456789012:shop-orders'] },
      expect.objectContaining({ Sid: 'ConsumeOwnQueue', Resource: ['arn:aws:sqs:eu-west-1:123456789012:shop-orders'] }),
      // Regression: without it, an event for the service's own queue (a process-manager timeout) is refused on AWS.
      { Sid: 'SendToOwnQueue', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:eu-west-1:123456789012:shop-orders'] },
      expect.objectContaining({ Sid: 'DeadLetterPoison', Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'], Resource: ['arn:aws:sqs:eu-west-1:123456789012:shop-orders-dlq'] }),
    ]);
    expect(JSON.stringify(policy)).not.toMatch(/Create|Delete(Queue|Topic)|\*/);
  });
});
