import { createHash } from 'node:crypto';
import type { DeadLetter } from './dead-letters';

/** Dead letters that failed the same way: one service, one event type, one code, one reason shape. */
export interface FailureGroup {
  /** Stable across reads while the same failure goes on: what a page links to and a retry names. */
  id: string;
  service: string;
  eventType: string | null;
  code: string | null;
  /** The reason with its variable parts masked: what the messages of the group have in common. */
  reasonShape: string;
  count: number;
  firstSeen: Date | null;
  lastSeen: Date | null;
  messageIds: string[];
}

/**
 * The reason with what varies from message to message masked: ids, numbers, quoted values. A
 * reason is an error's message (the consumer keeps no stack), so its shape is what tells one bug
 * from another, the way an exception type and first frame do elsewhere.
 */
export function reasonShape(reason: string | undefined): string {
  if (!reason) return '(no reason)';
  return reason
    .split('\n')[0]
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/"[^"]*"|'[^']*'/g, '<value>')
    .replace(/\b0x[0-9a-f]+\b|\b[0-9a-f]{16,}\b/gi, '<hex>')
    .replace(/\b\d+(\.\d+)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** Groups dead letters; the biggest group first, then the most recent. */
export function groupFailures(service: string, letters: readonly DeadLetter[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const letter of letters) {
    const shape = reasonShape(letter.reason);
    const key = [service, letter.eventType ?? '', letter.code ?? '', shape].join('\u0000');
    const id = createHash('sha256').update(key).digest('hex').slice(0, 16);
    const group = groups.get(id) ?? { id, service, eventType: letter.eventType ?? null, code: letter.code ?? null, reasonShape: shape, count: 0, firstSeen: null, lastSeen: null, messageIds: [] };
    const seen = letter.deadLetteredAt ? new Date(letter.deadLetteredAt) : (letter.sentAt ?? null);
    group.count += 1;
    group.messageIds.push(letter.messageId);
    if (seen && (!group.firstSeen || seen < group.firstSeen)) group.firstSeen = seen;
    if (seen && (!group.lastSeen || seen > group.lastSeen)) group.lastSeen = seen;
    groups.set(id, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || (b.lastSeen?.getTime() ?? 0) - (a.lastSeen?.getTime() ?? 0));
}
