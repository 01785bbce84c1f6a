import type { z } from 'zod';

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * A process manager (a saga): a long-running conversation about one thing, such as an order's
 * payment deadline, whose instances are rows in the service's own schema. Each instance is found
 * by a key taken from every event it handles (the order id), keeps a state, and may publish events,
 * ask for a timeout (which comes back later as a typed message to the same instance) and complete.
 *
 * Extend it in a provider of the service's module and decorate its methods with `@StartedBy`,
 * `@Handles` and `@OnTimeout`; the ProcessManagerModule finds it at bootstrap. Each method runs in
 * the transaction of the message that triggered it, so the instance's new state, the inbox row, the
 * published events and the timeouts commit together or not at all.
 */
export abstract class ProcessManager<TState extends object = object> {
  /** Unique within the service; names the instance rows, the timeouts and the log lines. Never rename. */
  abstract readonly name: string;

  /** The state of an instance that starts now, before its first handler runs. */
  abstract initialState(key: string): TState;
}

/** A timeout a process manager can ask for: its name within the manager and the data it carries back. */
export interface TimeoutDefinition<TSchema extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: TSchema;
}

export type TimeoutPayload<T extends TimeoutDefinition> = z.output<T['schema']>;

export function defineTimeout<TSchema extends z.ZodType>(definition: { name: string; schema: TSchema }): TimeoutDefinition<TSchema> {
  assertValidName('Timeout', definition.name);
  return Object.freeze({ ...definition });
}

/**
 * When a timeout is due. `delayMs` is counted from the database clock when the step commits, so every
 * replica agrees on it; `at` is an absolute time (e.g. a deadline stored on the business record).
 */
export type TimeoutDue = { delayMs: number } | { at: Date };

export function assertValidName(what: string, name: string): void {
  if (!NAME_PATTERN.test(name)) throw new Error(`${what} name "${name}" must be lowercase letters, digits and dashes`);
}
