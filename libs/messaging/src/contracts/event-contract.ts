import type { z } from 'zod';

/**
 * An event contract: the one place that says what an event is called, what it carries and where it
 * is published. Publishers and handlers take the contract object, never a type string, so a typo is
 * a compile error and the payload type is inferred from the schema.
 */
export interface EventContract<TSchema extends z.ZodType = z.ZodType> {
  /** CloudEvents `type`, versioned: `shop.order.placed.v1`. */
  readonly type: string;
  /** Logical topic name (without the deployment prefix): `orders`. */
  readonly topic: string;
  readonly schema: TSchema;
  /** FIFO contracts go to a `.fifo` topic, grouped by the event's subject (the aggregate key). */
  readonly fifo: boolean;
}

export type EventPayload<C extends EventContract> = z.output<C['schema']>;

export interface EventContractDefinition<TSchema extends z.ZodType> {
  type: string;
  topic: string;
  schema: TSchema;
  fifo?: boolean;
}

const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+\.v[0-9]+$/;
const TOPIC_PATTERN = /^[a-z][a-z0-9-]{0,60}$/;

export function defineEvent<TSchema extends z.ZodType>(
  definition: EventContractDefinition<TSchema>,
): EventContract<TSchema> {
  if (!EVENT_TYPE_PATTERN.test(definition.type)) {
    throw new Error(`Event type "${definition.type}" must look like "domain.entity.action.v1"`);
  }
  if (!TOPIC_PATTERN.test(definition.topic)) {
    throw new Error(`Topic "${definition.topic}" must be lowercase letters, digits and dashes`);
  }
  return Object.freeze({ fifo: false, ...definition });
}
