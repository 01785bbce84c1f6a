import { html, type Html } from '../views/html';
import { formatTime } from '../views/layout';
import { handlerDuration, retryNote, type FlowEvent, type FlowHandling } from './flow-builder';

const after = (later: Date | null | undefined, earlier: Date | null | undefined) =>
  later && earlier ? `+${Math.max(0, later.getTime() - earlier.getTime())} ms` : '';

/** The flow as a table: one row per event, each consumer with when it handled it, how long it ran, and whether it needed a retry. */
export function flowTable(events: readonly FlowEvent[]): Html {
  return html`<table id="flow-table"><thead><tr><th>Event</th><th>Producer</th><th>Created</th><th>Published</th><th>Consumers</th><th>Caused by</th></tr></thead><tbody>
${events.map(
  (event) => html`<tr data-type="${event.type}"><td><strong>${event.type}</strong><br><code class="muted">${event.eventId}</code></td><td>${event.producer}</td>
<td>${formatTime(event.createdAt)}</td><td>${event.publishedAt ? html`${after(event.publishedAt, event.createdAt)}` : html`<span class="bad">not yet</span>`}${event.attempts > 1 ? html` <span class="muted">(${event.attempts} attempts)</span>` : ''}</td>
<td>${event.consumers.map(
    (consumer) => html`<div data-consumer="${consumer.service}">${consumer.service}: ${
      consumer.deadLetter
        ? html`<a class="bad" href="/failures/message/${consumer.service}/${consumer.deadLetter.messageId}">dead-lettered ${consumer.deadLetter.code ?? ''}</a>`
        : consumer.handledAt
          ? html`handled ${after(consumer.handledAt, event.publishedAt)}${handlingNotes(consumer.handling)}`
          : html`<span class="muted">waiting</span>`
    }</div>`,
  )}</td>
<td><code class="muted">${event.causationId ?? 'request'}</code></td></tr>`,
)}</tbody></table>`;
}

/** The handler's duration, and a mark where the handling succeeded only after a retry. */
function handlingNotes(handling: FlowHandling['handling']): Html {
  const duration = handlerDuration(handling);
  const retried = retryNote(handling);
  return html`${duration ? html` <span class="muted duration">· ran ${duration}</span>` : ''}${retried ? html` <span class="warn retried">· ${retried}</span>` : ''}`;
}
