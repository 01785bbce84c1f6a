import Table from 'cli-table3';
import {
  formatAge,
  type DeadLetter,
  type DeadLetterListing,
  type OutboxBacklog,
  type RedriveResult,
  type ReplayMatch,
  type ReplayPlan,
  type ReplayResult,
  type ServiceParkedEvent,
  type ServiceQueueDepths,
  type ServiceScheduledEvent,
} from '@app/operations';

// Plain tables without colour: output reads the same in a terminal, a log file or a ticket.

const REASON_WIDTH = 60;

const NO_BORDERS = Object.fromEntries(
  ['top', 'top-mid', 'top-left', 'top-right', 'bottom', 'bottom-mid', 'bottom-left', 'bottom-right', 'left', 'left-mid', 'mid', 'mid-mid', 'right', 'right-mid', 'middle'].map((key) => [key, '']),
);

/** Aligned columns without borders, one line per row (as kubectl prints): easy to scan, grep and paste. */
function table(head: string[]): Table.Table {
  return new Table({ head: head.map((title) => title.toUpperCase()), chars: NO_BORDERS, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 3 } });
}

function render(output: Table.Table): string {
  return output
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

export function formatQueueDepths(rows: readonly ServiceQueueDepths[]): string {
  const output = table(['Service', 'Queue', 'Waiting', 'In flight', 'Dead-letter queue', 'Dead letters']);
  const problems: string[] = [];
  for (const row of rows) {
    if (row.problem || !row.queueDepth || !row.deadLetterDepth) {
      output.push([row.service, row.queue, '?', '?', row.deadLetterQueue, '?']);
      problems.push(`${row.service}: ${row.problem ?? 'no depth reported'}`);
    } else {
      output.push([row.service, row.queue, row.queueDepth.visible, row.queueDepth.inFlight, row.deadLetterQueue, row.deadLetterDepth.visible + row.deadLetterDepth.inFlight]);
    }
  }
  return [render(output), ...problems].join('\n');
}

export function formatDeadLetterListing(listing: DeadLetterListing): string {
  const total = listing.depth.visible + listing.depth.inFlight;
  if (listing.messages.length === 0) return `${listing.deadLetterQueue}: no dead letters${total > 0 ? ` visible (${total} held by a reader right now)` : ''}.`;
  const output = table(['Message id', 'Event type', 'Code', 'Reason', 'Dead-lettered at']);
  for (const letter of listing.messages) {
    output.push([letter.messageId, letter.eventType ?? '(not a CloudEvent)', letter.code ?? '-', truncate(letter.reason ?? '-', REASON_WIDTH), letter.deadLetteredAt ?? iso(letter.sentAt)]);
  }
  const shown = listing.truncated ? `, showing the ${listing.messages.length} oldest (raise --limit for more)` : '';
  return `${listing.deadLetterQueue}: about ${total} dead letter${total === 1 ? '' : 's'}${shown}\n${render(output)}`;
}

export function formatDeadLetter(letter: DeadLetter): string {
  const summary = new Table({ style: { head: [], border: [] } });
  summary.push(
    { 'Message id': letter.messageId },
    { 'Event type': letter.eventType ?? '(not a CloudEvent)' },
    { 'Event id': letter.eventId ?? '-' },
    { Code: letter.code ?? '-' },
    { Reason: wrap(letter.reason ?? '-', 100) },
    { 'Source queue': letter.sourceQueue ?? '-' },
    { 'Dead-lettered at': letter.deadLetteredAt ?? '-' },
    { 'Entered the DLQ at': iso(letter.sentAt) },
  );
  // The dead_letter_* attributes are in the summary above; these are all the ones the message
  // travelled with, restored from the dead letter's record (not only the few copied beside it).
  const original = Object.entries(letter.originalAttributes).sort(([a], [b]) => a.localeCompare(b));
  const attributes = table(['Attribute', 'Value']);
  original.forEach(([name, value]) => attributes.push([name, wrap(value, 100)]));
  return [summary.toString(), 'Message attributes:', original.length > 0 ? render(attributes) : '(none)', 'Body:', prettyBody(letter.body)].join('\n');
}

export function formatRedrive(result: RedriveResult): string {
  const lines = [`Moved ${result.moved} message${result.moved === 1 ? '' : 's'} from ${result.from} back to ${result.to}.`];
  if (result.skipped > 0) lines.push(`Left ${result.skipped} dead-lettered after the redrive started (run it again once the cause is fixed).`);
  if (result.failed.length > 0) {
    const failures = table(['Message id', 'Problem']);
    result.failed.forEach((failure) => failures.push([failure.id, wrap(failure.reason, 100)]));
    lines.push(`${result.failed.length} could not be moved:`, render(failures));
  }
  return lines.join('\n');
}

export function formatOutboxBacklog(rows: readonly OutboxBacklog[]): string {
  const output = table(['Service', 'Schema', 'Pending', 'Oldest pending', 'Failing', 'Parked', 'Scheduled', 'Published (kept)', 'Last published at']);
  for (const row of rows) {
    if (!row.migrated) {
      output.push([row.service, row.schema, { colSpan: 7, content: 'no outbox table (service not migrated in this database)' }]);
    } else {
      const age = row.oldestPendingAgeSeconds === null ? '-' : formatAge(row.oldestPendingAgeSeconds);
      output.push([row.service, row.schema, row.pending, age, row.failing, row.parked, row.scheduled, row.published, iso(row.lastPublishedAt)]);
    }
  }
  const errors = rows.filter((row) => row.lastError).map((row) => `${row.service}: last relay error: ${truncate(row.lastError ?? '', 200)}`);
  const parked = rows.filter((row) => row.parked > 0).map((row) => `${row.service}: ${row.parked} parked (ops outbox parked --service ${row.service}; ops outbox release ${row.service} <id>|--all)`);
  return [render(output), ...errors, ...parked].join('\n');
}

export function formatScheduledEvents(events: readonly ServiceScheduledEvent[]): string {
  if (events.length === 0) return 'No scheduled events are waiting.';
  const output = table(['Service', 'Event id', 'Type', 'Subject', 'To', 'Due at', 'Due in']);
  for (const event of events) {
    const dueIn = event.dueInSeconds <= 0 ? `overdue ${formatAge(-event.dueInSeconds)}` : formatAge(event.dueInSeconds);
    output.push([event.service, event.eventId, event.type, event.subject ?? '-', event.destination === 'own-queue' ? 'own queue' : event.topic, iso(event.deliverAt), dueIn]);
  }
  return render(output);
}

export function formatParkedEvents(events: readonly ServiceParkedEvent[]): string {
  if (events.length === 0) return 'No parked outbox rows.';
  const output = table(['Service', 'Id', 'Event id', 'Type', 'Subject', 'Attempts', 'Parked at', 'Reason']);
  for (const event of events) {
    output.push([event.service, event.id, event.eventId, event.type, event.subject ?? '-', event.attempts, iso(event.parkedAt), wrap(event.reason ?? '-', REASON_WIDTH)]);
  }
  return render(output);
}

export function formatReplayMatch(plan: ReplayPlan, match: ReplayMatch, target: string): string {
  const span = match.count > 0 ? ` (written ${iso(match.first)} to ${iso(match.last)})` : '';
  return `Would replay ${match.count} ${plan.type} event${match.count === 1 ? '' : 's'} from ${plan.producer.name}${span} to ${target}.`;
}

export function formatReplay(plan: ReplayPlan, result: ReplayResult, target: string): string {
  const lines = [`Replayed ${result.sent} of ${result.count} ${plan.type} event${result.count === 1 ? '' : 's'} from ${plan.producer.name} to ${target}.`];
  if (result.failed.length > 0) {
    const failures = table(['Event id', 'Problem']);
    result.failed.forEach((failure) => failures.push([failure.id, wrap(failure.reason, 100)]));
    lines.push(`${result.failed.length} failed (run the replay again: consumers skip what they already handled):`, render(failures));
  }
  return lines.join('\n');
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** A JSON body indented; anything else as it came. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function wrap(text: string, width: number): string {
  return text.split('\n').flatMap((line) => line.match(new RegExp(`.{1,${width}}`, 'g')) ?? ['']).join('\n');
}

function iso(date: Date | null | undefined): string {
  return date ? date.toISOString() : '-';
}
