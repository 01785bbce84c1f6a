import { formatAge } from '@app/operations';
import { Controller, Get, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ConsolePages } from '../views/console-pages';
import { html, type Html } from '../views/html';
import { ServiceStatusReader, type ServiceStatus } from './service-status';

/** One row per service, refreshed every two seconds by htmx polling the rows fragment. */
@Controller()
export class OverviewController {
  constructor(
    private readonly statuses: ServiceStatusReader,
    private readonly pages: ConsolePages,
  ) {}

  @Get()
  async overview(@Req() request: Request) {
    const rows = await this.statuses.read();
    return this.pages.render(
      request,
      'Overview',
      html`<p class="muted">Queues and dead letters from SQS; outbox, consumer and rates from each service's admin API. Rates are per minute over the last minute.</p>
<div id="overview" hx-get="/overview/rows" hx-trigger="every 2s" hx-swap="innerHTML">${overviewTable(rows)}</div>`,
      '/',
    );
  }

  @Get('overview/rows')
  async rows() {
    return overviewTable(await this.statuses.read());
  }
}

const count = (value: number | undefined) => (value === undefined ? '–' : String(value));
const rate = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(value < 10 ? 1 : 0));

function overviewTable(rows: readonly ServiceStatus[]): Html {
  return html`<table id="services">
<thead><tr><th>Service</th><th>Status</th><th class="num">Queue</th><th class="num">In flight</th><th class="num">Dead letters</th><th class="num">Outbox pending</th><th class="num">Oldest pending</th><th class="num">Parked</th><th class="num">Last poll</th><th class="num">Handled/min</th><th class="num">Retried/min</th><th class="num">Dead-lettered/min</th><th class="num">Handler p95</th></tr></thead>
<tbody>${rows.map(
    (row) => html`<tr class="${row.up ? '' : 'down'}" data-service="${row.service}">
<td><a href="/failures?service=${row.service}">${row.service}</a></td>
<td>${row.up ? html`<span class="status-up">up</span>` : html`<span class="status-down">down</span> <span class="muted">${row.problem}</span>`}</td>
<td class="num">${row.consumes ? count(row.queue?.visible) : '·'}</td>
<td class="num">${row.consumes ? count(row.queue?.inFlight) : '·'}</td>
<td class="num ${row.deadLetters ? 'bad' : ''}">${row.consumes ? count(row.deadLetters) : '·'}</td>
<td class="num">${count(row.outboxPending)}</td>
<td class="num">${row.outboxPending ? formatAge(row.outboxOldestSeconds) : '–'}</td>
<td class="num ${row.parked ? 'bad' : ''}">${count(row.parked)}</td>
<td class="num">${row.consumes && row.consumerSinceLastPollSeconds !== undefined ? `${formatAge(row.consumerSinceLastPollSeconds)} ago` : '–'}</td>
<td class="num">${rate(row.rates?.handledPerMinute)}</td>
<td class="num">${rate(row.rates?.retriedPerMinute)}</td>
<td class="num">${rate(row.rates?.deadLetteredPerMinute)}</td>
<td class="num">${row.rates?.handlerP95Seconds === null || row.rates?.handlerP95Seconds === undefined ? '–' : `≤ ${Math.round(row.rates.handlerP95Seconds * 1000)} ms`}</td>
</tr>`,
  )}</tbody>
</table>${rows.filter((row) => row.queueProblem).map((row) => html`<p class="notice error">${row.service}: ${row.queueProblem}</p>`)}`;
}
