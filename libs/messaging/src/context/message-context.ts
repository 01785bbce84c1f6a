import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What every log line, record and outgoing event of one unit of work shares. Set once at the edge
 * (an HTTP request, a received message) and never overwritten downstream.
 */
export interface MessageContext {
  readonly correlationId: string;
  /** Id of the event being handled; absent for work started by an HTTP request or a schedule. */
  readonly causationId?: string;
  /** W3C trace context of the unit of work, carried into every event it publishes. */
  readonly traceparent?: string;
}

const storage = new AsyncLocalStorage<MessageContext>();

export function runInMessageContext<T>(context: MessageContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentMessageContext(): MessageContext | undefined {
  return storage.getStore();
}

/** The current context, or a fresh one for work that starts without an edge (a schedule, a script). */
export function messageContextOrNew(): MessageContext {
  return storage.getStore() ?? { correlationId: randomUUID() };
}

/** The rule for a correlation id, in the terms an OpenAPI document states it. */
export const CORRELATION_ID_SCHEMA = { type: 'string', pattern: '^[A-Za-z0-9._:-]+$', maxLength: 128 } as const;
const CORRELATION_ID_PATTERN = new RegExp(`^[A-Za-z0-9._:-]{1,${CORRELATION_ID_SCHEMA.maxLength}}$`);
export const CORRELATION_ID_RULE = `1 to ${CORRELATION_ID_SCHEMA.maxLength} letters, digits, ".", "_", ":" or "-"`;

/** Whether an incoming correlation id is safe to log, store and copy onto every event. */
export function isAcceptableCorrelationId(candidate: unknown): candidate is string {
  return typeof candidate === 'string' && CORRELATION_ID_PATTERN.test(candidate);
}

/** An incoming id is kept only if it is safe to log and store; otherwise the caller gets a new one. */
export function acceptCorrelationId(candidate: unknown): string {
  return typeof candidate === 'string' && CORRELATION_ID_PATTERN.test(candidate) ? candidate : randomUUID();
}
