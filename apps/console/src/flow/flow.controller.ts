import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CONSOLE_DIRECTORY, type DirectoryEntry } from '../system/service-directory';
import { ConsolePages } from '../views/console-pages';
import { html, type Html } from '../views/html';
import { formatTime } from '../views/layout';
import { FlowBuilder, type Flow, type FlowEvent } from './flow-builder';
import { flowDiagram } from './flow-diagram';

/** The flow of one business transaction, by correlation id, order id (subject) or event id. */
@Controller('flow')
export class FlowController {
  constructor(
    private readonly flows: FlowBuilder,
    private readonly pages: ConsolePages,
    @Inject(CONSOLE_DIRECTORY) private readonly directory: readonly DirectoryEntry[],
  ) {}

  @Get()
  async page(@Req() request: Request, @Query('q') q?: string) {
    const query = (q ?? '').trim();
    return this.pages.render(
      request,
      'Flow',
      html`<form method="get" action="/flow" class="actions">
  <input type="search" name="q" id="flow-query" value="${query}" placeholder="correlation id, order id or event id" size="48" required>
  <button type="submit">Show the flow</button>
</form>
${query ? html`<div id="flow" hx-get="/flow/view?q=${encodeURIComponent(query)}" hx-trigger="every 3s" hx-swap="innerHTML">${await this.view(query)}</div>` : ''}`,
      '/flow',
    );
  }

  /** The diagram and the table; refreshed while the transaction is still moving. */
  @Get('view')
  async view(@Query('q') q: string, @Query('highlight') highlight?: string): Promise<Html> {
    const flow = await this.flows.build(String(q ?? '').trim());
    if (flow.events.length === 0) return html`<p class="notice">No event found for <code>${flow.query}</code>${unreachableNote(flow)}.</p>`;
    return html`<p class="muted">Correlation id ${flow.correlationIds.map((id) => html`<code>${id}</code> `)}· ${flow.events.length} events${unreachableNote(flow)}</p>
<div class="diagram">${flowDiagram(flow, this.directory.map((service) => service.name), highlight)}</div>
${flowTable(flow.events)}`;
  }
}

const unreachableNote = (flow: Flow) => (flow.unreachable.length ? html` <span class="bad">(no answer from ${flow.unreachable.join(', ')})</span>` : '');

const after = (later: Date | null | undefined, earlier: Date | null | undefined) =>
  later && earlier ? `+${Math.max(0, later.getTime() - earlier.getTime())} ms` : '';

function flowTable(events: readonly FlowEvent[]): Html {
  return html`<table id="flow-table"><thead><tr><th>Event</th><th>Producer</th><th>Created</th><th>Published</th><th>Consumers</th><th>Caused by</th></tr></thead><tbody>
${events.map(
  (event) => html`<tr data-type="${event.type}"><td><strong>${event.type}</strong><br><code class="muted">${event.eventId}</code></td><td>${event.producer}</td>
<td>${formatTime(event.createdAt)}</td><td>${event.publishedAt ? html`${after(event.publishedAt, event.createdAt)}` : html`<span class="bad">not yet</span>`}${event.attempts > 1 ? html` <span class="muted">(${event.attempts} attempts)</span>` : ''}</td>
<td>${event.consumers.map(
    (consumer) => html`<div data-consumer="${consumer.service}">${consumer.service}: ${
      consumer.deadLetter
        ? html`<a class="bad" href="/failures/message/${consumer.service}/${consumer.deadLetter.messageId}">dead-lettered ${consumer.deadLetter.code ?? ''}</a>`
        : consumer.handledAt
          ? html`handled ${after(consumer.handledAt, event.publishedAt)}`
          : html`<span class="muted">waiting</span>`
    }</div>`,
  )}</td>
<td><code class="muted">${event.causationId ?? 'request'}</code></td></tr>`,
)}</tbody></table>`;
}
