import { defineEvent, defineService } from '@app/messaging';
import { z } from 'zod';
import { OpsError, type OperatedService } from './operations-context';
import { planReplay } from './replay';

const event = (type: string) => defineEvent({ type, topic: type.split('.')[1], schema: z.object({}) });
const Placed = event('test.orders.placed.v1');
const Audited = event('test.audit.logged.v1');
const service = (name: string, publishes: ReturnType<typeof event>[], consumes: ReturnType<typeof event>[]): OperatedService => ({
  name,
  topology: defineService({ service: name, publishes, consumes }),
  database: { schema: name },
});
const ops = {
  services: [service('orders', [Placed, Audited], []), service('billing', [Audited], [Placed]), service('mailer', [], [Audited])],
};

describe('planReplay', () => {
  it('finds the one producer of the type', () => {
    expect(planReplay(ops, { type: Placed.type, consumer: 'billing' })).toMatchObject({ producer: { name: 'orders' }, consumer: { name: 'billing' } });
  });

  it('asks for --from when several services publish the type, and checks the one given', () => {
    expect(() => planReplay(ops, { type: Audited.type })).toThrow(/published by orders, billing: choose one with --from/);
    expect(planReplay(ops, { type: Audited.type, from: 'billing' }).producer.name).toBe('billing');
    expect(() => planReplay(ops, { type: Placed.type, from: 'billing' })).toThrow('"billing" does not publish test.orders.placed.v1');
  });

  it('names the published types when nobody publishes the one asked for', () => {
    expect(() => planReplay(ops, { type: 'test.orders.placd.v1' })).toThrow('No service publishes test.orders.placd.v1; published types: test.audit.logged.v1, test.orders.placed.v1');
  });

  it('refuses a consumer that would dead-letter every event', () => {
    expect(() => planReplay(ops, { type: Placed.type, consumer: 'mailer' })).toThrow('"mailer" does not consume test.orders.placed.v1');
    expect(() => planReplay(ops, { type: Placed.type, consumer: 'nobody' })).toThrow(OpsError);
  });

  it('refuses an empty time range', () => {
    const at = new Date('2025-01-01T00:00:00Z');
    expect(() => planReplay(ops, { type: Placed.type, since: at, until: at })).toThrow(/must be before --until/);
  });
});
