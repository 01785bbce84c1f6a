import { createCloudEvent } from '@app/messaging';

export const POISON_CODES = ['NOT_JSON', 'NOT_CLOUDEVENT', 'UNKNOWN_EVENT_TYPE', 'SCHEMA_VIOLATION'] as const;
export type PoisonCode = (typeof POISON_CODES)[number];

export interface Poison {
  /** Appears in the body, so the dead letter can be told apart from anything else in the DLQ. */
  marker: string;
  service: string;
  code: PoisonCode;
  body: string;
}

/**
 * A message sent on purpose that can never be handled: the consumer must dead-letter it with this
 * code and go on with the rest. `consumedType` is a type the service handles, for the schema
 * violation (right type, wrong payload).
 */
export function poison(marker: string, service: string, code: PoisonCode, consumedType: string): Poison {
  const event = (type: string, data: unknown) => JSON.stringify(createCloudEvent({ source: '/chaos', type, data, correlationId: marker, subject: marker }));
  const bodies: Record<PoisonCode, () => string> = {
    NOT_JSON: () => `${marker}: this is not JSON {`,
    NOT_CLOUDEVENT: () => JSON.stringify({ marker, hello: 'an object, but no envelope' }),
    UNKNOWN_EVENT_TYPE: () => event('shop.chaos.never-heard-of.v1', { marker }),
    SCHEMA_VIOLATION: () => event(consumedType, { orderId: marker, amount: 'a lot' }),
  };
  return { marker, service, code, body: bodies[code]() };
}
