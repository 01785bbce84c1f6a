import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CONSOLE_DIRECTORY, type DirectoryEntry } from '../system/service-directory';
import { ConsolePages } from '../views/console-pages';
import { html, type Html } from '../views/html';
import { FlowBuilder, type Flow } from './flow-builder';
import { flowTable } from './flow-table';
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
