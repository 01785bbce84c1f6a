import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { PoisonMessageError } from '../errors/messaging-errors';

/**
 * CloudEvents 1.0, structured JSON mode, with three extension attributes: `correlationid`,
 * `causationid` and the distributed-tracing extension's `traceparent`. Extension names are
 * lowercase alphanumerics, as the CloudEvents spec requires.
 */
export const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  // Bounded so a hostile or broken producer cannot make the inbox key too long to index.
  id: z.string().min(1).max(256),
  source: z.string().min(1).max(1024),
  type: z.string().min(1).max(256),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().min(1).max(1024).optional(),
  datacontenttype: z.literal('application/json'),
  data: z.unknown(),
  correlationid: z.string().min(1).max(256),
  causationid: z.string().min(1).max(256).optional(),
  traceparent: z.string().max(256).optional(),
});

export type CloudEvent<TData = unknown> = Omit<z.infer<typeof cloudEventSchema>, 'data'> & { data: TData };

export interface NewCloudEvent<TData> {
  source: string;
  type: string;
  subject?: string;
  data: TData;
  correlationId: string;
  causationId?: string;
  traceparent?: string;
}

export function createCloudEvent<TData>(event: NewCloudEvent<TData>): CloudEvent<TData> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: event.source,
    type: event.type,
    time: new Date().toISOString(),
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    datacontenttype: 'application/json',
    data: event.data,
    correlationid: event.correlationId,
    ...(event.causationId === undefined ? {} : { causationid: event.causationId }),
    ...(event.traceparent === undefined ? {} : { traceparent: event.traceparent }),
  };
}

/** SNS wraps the message in a notification unless the subscription uses raw delivery. */
const snsNotificationSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });

/**
 * Reads an SQS body as a CloudEvent, raw or SNS-wrapped. Anything else can never succeed, so it
 * is reported as poison with a precise code rather than retried.
 */
export function parseCloudEvent(body: string | undefined): CloudEvent {
  const json = parseJson(body ?? '');
  const notification = snsNotificationSchema.safeParse(json);
  const candidate = notification.success ? parseJson(notification.data.Message) : json;
  const envelope = cloudEventSchema.safeParse(candidate);
  if (!envelope.success) {
    throw new PoisonMessageError('NOT_CLOUDEVENT', `Not a CloudEvent: ${z.prettifyError(envelope.error)}`);
  }
  return envelope.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PoisonMessageError('NOT_JSON', `Body is not JSON: ${(error as Error).message}`);
  }
}
