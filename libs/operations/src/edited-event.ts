import { cloudEventSchema, type CloudEvent } from '@app/messaging';
import type { OperatedService } from './operations-context';

export type EditCheck = { ok: true; event: CloudEvent; body: string } | { ok: false; problems: string[] };

/**
 * Checks a hand-edited dead letter before anything is sent: JSON, a CloudEvent, a type the
 * service consumes, and a payload its contract's schema accepts. The same checks the consumer
 * makes, so an edit that passes here is not dead-lettered again for its shape.
 */
export function checkEditedEvent(service: OperatedService, text: string): EditCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not JSON: ${(error as Error).message}`] };
  }
  const envelope = cloudEventSchema.safeParse(parsed);
  if (!envelope.success) return { ok: false, problems: envelope.error.issues.map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`) };
  const contract = service.topology.consumes.find((candidate) => candidate.type === envelope.data.type);
  if (!contract) {
    return { ok: false, problems: [`type: ${service.name} does not consume ${envelope.data.type}; it consumes ${service.topology.consumes.map((c) => c.type).join(', ')}`] };
  }
  const data = contract.schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, problems: data.error.issues.map((issue) => `data.${issue.path.join('.')}: ${issue.message}`) };
  // Sent as it was checked, compact, so nothing but the checked JSON travels.
  return { ok: true, event: envelope.data as CloudEvent, body: JSON.stringify(parsed) };
}
