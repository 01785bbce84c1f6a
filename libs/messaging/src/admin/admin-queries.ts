import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';

/** Query strings of the admin routes; a bad one is a 400 naming the parameter. */
const limit = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value)).optional();

export const pendingQuery = z.object({ limit: limit(50, 500) });

export const publishedQuery = z
  .object({ type: z.string().min(1), since: instant, until: instant, after: z.string().regex(/^\d+$/).default('0'), limit: limit(100, 500) })
  .refine((query) => !query.since || !query.until || query.since < query.until, { message: 'must be after since', path: ['until'] });

export const flowQuery = z
  .object({ correlationId: z.string().min(1).optional(), subject: z.string().min(1).optional(), eventId: z.string().min(1).optional() })
  .refine((query) => query.correlationId || query.subject || query.eventId, { message: 'give correlationId, subject or eventId', path: ['correlationId'] });

/** A body of `{ "id": "42" }`, `{ "eventId": "<uuid>" }` or `{ "all": true }`. */
export const releaseBody = z.union([
  z.object({ id: z.string().regex(/^\d+$/, 'expected an outbox row id') }).strict(),
  z.object({ eventId: z.uuid() }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);

export const inboxQuery = z.object({
  // ?eventId=a&eventId=b arrives as an array, a single one as a string.
  eventId: z.union([z.string().min(1).transform((id) => [id]), z.array(z.string().min(1)).max(500)]),
});

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  throw new BadRequestException(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`));
}
