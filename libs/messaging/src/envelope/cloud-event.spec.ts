import { PoisonMessageError } from '../errors/messaging-errors';
import { createCloudEvent, parseCloudEvent } from './cloud-event';

const anEvent = () =>
  createCloudEvent({
    source: '/shop/orders',
    type: 'shop.order.placed.v1',
    subject: 'order-1',
    data: { orderId: 'order-1' },
    correlationId: 'corr-1',
    causationId: 'cause-1',
  });

function poisonCodeOf(body: string): string {
  try {
    parseCloudEvent(body);
  } catch (error) {
    if (error instanceof PoisonMessageError) return error.code;
    throw error;
  }
  throw new Error('expected a poison message');
}

describe('CloudEvent envelope', () => {
  it('round-trips a raw-delivered event with its extension attributes', () => {
    const event = anEvent();
    expect(parseCloudEvent(JSON.stringify(event))).toEqual(event);
    expect(event).toMatchObject({ specversion: '1.0', datacontenttype: 'application/json', correlationid: 'corr-1', causationid: 'cause-1' });
  });

  it('unwraps an SNS notification when raw delivery is off', () => {
    const event = anEvent();
    const wrapped = JSON.stringify({ Type: 'Notification', MessageId: 'm-1', Message: JSON.stringify(event) });
    expect(parseCloudEvent(wrapped)).toEqual(event);
  });

  it('reports a body that is not JSON as NOT_JSON', () => {
    expect(poisonCodeOf('{not json')).toBe('NOT_JSON');
  });

  it('reports JSON that is not a CloudEvent as NOT_CLOUDEVENT, naming the missing field', () => {
    const { correlationid: _dropped, ...withoutCorrelation } = anEvent();
    expect(poisonCodeOf(JSON.stringify(withoutCorrelation))).toBe('NOT_CLOUDEVENT');
    expect(() => parseCloudEvent(JSON.stringify(withoutCorrelation))).toThrow(/correlationid/);
  });

  it('gives every event a unique id and an ISO timestamp', () => {
    const [first, second] = [anEvent(), anEvent()];
    expect(first.id).not.toBe(second.id);
    expect(new Date(first.time).toISOString()).toBe(first.time);
  });
});
