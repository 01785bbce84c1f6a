import { formatAge, planReplay, queueNamesOf, replayFrom, serviceNamed, type QueueOps } from '@app/operations';
import { locateQueue } from '@app/messaging';
import { BadRequestException, Body, Controller, Get, Inject, NotFoundException, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuditLog } from '../audit/audit-log';
import { OperatorOnly } from '../auth/access';
import { jobView } from '../failures/failures.controller';
import { Jobs } from '../failures/jobs';
import { AdminClient, type ServiceOutbox } from '../system/admin-client';
import { QUEUE_OPS } from '../system/queue-ops';
import { CONSOLE_DIRECTORY, type DirectoryEntry } from '../system/service-directory';
import { ConsolePages } from '../views/console-pages';
import { html, type Html } from '../views/html';
import { csrfField, formatTime, type PageContext } from '../views/layout';

type Form = Record<string, string | undefined>;

/** Outbox and scheduled work per service: pending, parked (release), scheduled; replay of published events. */
@Controller('outbox')
export class OutboxController {
  constructor(
    @Inject(CONSOLE_DIRECTORY) private readonly directory: readonly DirectoryEntry[],
    @Inject(QUEUE_OPS) private readonly queues: QueueOps,
    private readonly admin: AdminClient,
    private readonly jobs: Jobs,
    private readonly audit: AuditLog,
    private readonly pages: ConsolePages,
  ) {}

  @Get()
  async page(@Req() request: Request) {
    const outboxes = await Promise.all(
      this.directory.map(async (service) => {
        try {
          return { service: service.name, outbox: await this.admin.outbox(service, 50) };
        } catch (error) {
          return { service: service.name, problem: (error as Error).message };
        }
      }),
    );
    return this.pages.render(request, 'Outbox and scheduled work', (context) => html`${outboxes.map((entry) => serviceOutbox(entry, context))}${this.replayForm(context)}`, '/outbox');
  }

  @OperatorOnly()
  @Post('release')
  async release(@Req() request: Request, @Body() form: Form) {
    const service = this.entry(String(form.service ?? ''));
    const selection = form.all === 'true' ? ({ all: true } as const) : form.id && /^\d+$/.test(form.id) ? { id: form.id } : undefined;
    if (!selection) throw new BadRequestException('id: give an outbox row id, or all');
    const released = await this.admin.release(service, selection);
    await this.audit.record({ ...this.pages.operator(request), action: 'release-parked', target: `${service.name}/${'id' in selection ? selection.id : 'all'}`, count: released });
    return html`<p class="notice ok" id="released">Released ${released} parked row${released === 1 ? '' : 's'} of ${service.name}: the relay sends ${released === 1 ? 'it' : 'them'} again.</p>`;
  }

  /** Replays a producer's published events to one consumer's queue, from the producer's admin API, with progress. */
  @OperatorOnly()
  @Post('replay')
  async replay(@Req() request: Request, @Body() form: Form) {
    const since = form.since ? new Date(form.since) : undefined;
    const until = form.until ? new Date(form.until) : undefined;
    if (since && Number.isNaN(since.getTime())) throw new BadRequestException('since: not a date');
    if (until && Number.isNaN(until.getTime())) throw new BadRequestException('until: not a date');
    let plan;
    try {
      plan = planReplay({ services: this.directory }, { type: String(form.type ?? ''), consumer: String(form.consumer ?? ''), since, until });
    } catch (error) {
      throw new BadRequestException((error as Error).message);
    }
    const consumer = plan.consumer as DirectoryEntry;
    const queueName = queueNamesOf(this.queues, consumer).queue;
    const queueUrl = await locateQueue(this.queues.sqs, queueName);
    const operator = this.pages.operator(request);
    const job = this.jobs.start(`replay ${plan.type} to ${queueName}`, async (progress) => {
      const result = await replayFrom(this.admin.publishedEvents(plan.producer as DirectoryEntry), this.queues.sqs, plan, queueUrl, progress);
      await this.audit.record({ ...operator, action: 'replay', target: `${plan.type} → ${queueName}`, count: result.sent, detail: { from: plan.producer.name, since: form.since, until: form.until, failed: result.failed } });
      return `Replayed ${result.sent} of ${result.count} ${plan.type} event${result.count === 1 ? '' : 's'} from ${plan.producer.name} to ${queueName}.${result.failed.length ? ` ${result.failed.length} failed.` : ''}`;
    });
    return jobView(job);
  }

  private entry(name: string): DirectoryEntry {
    try {
      return serviceNamed({ services: this.directory }, name);
    } catch (error) {
      throw new NotFoundException((error as Error).message);
    }
  }

  private replayForm(context: PageContext): Html {
    const types = [...new Set(this.directory.flatMap((service) => service.topology.publishes.map((contract) => contract.type)))].sort();
    const consumers = this.directory.filter((service) => service.topology.consumes.length > 0).map((service) => service.name);
    return html`<h2>Replay published events</h2>
<p class="muted">Sends a producer's published events of one type, from its outbox, to one consumer's queue: how a new subscriber catches up. Consumers skip what they already handled.</p>
<form method="post" action="/outbox/replay" hx-post="/outbox/replay" hx-target="#replay-job" class="actions">${csrfField(context)}
<select name="type" aria-label="event type">${types.map((type) => html`<option>${type}</option>`)}</select>
<select name="consumer" aria-label="consumer">${consumers.map((name) => html`<option>${name}</option>`)}</select>
<label>since <input type="text" name="since" placeholder="2025-01-31T00:00:00Z"></label>
<label>until <input type="text" name="until" placeholder="(now)"></label>
<button type="submit">Replay</button></form>
<div id="replay-job"></div>`;
  }
}

function serviceOutbox(entry: { service: string; outbox?: ServiceOutbox; problem?: string }, context: PageContext): Html {
  if (!entry.outbox) return html`<h2>${entry.service}</h2><p class="notice error">down: ${entry.problem}</p>`;
  const { summary, pending, parked, scheduled } = entry.outbox;
  return html`<h2>${entry.service}</h2>
<p data-outbox="${entry.service}">${summary.pending} pending${summary.pending ? html` (oldest ${formatAge(summary.oldestPendingAgeSeconds)})` : ''} · ${summary.failing} failing · <strong class="${summary.parked ? 'bad' : ''}">${summary.parked} parked</strong> · ${summary.scheduled} scheduled · ${summary.published} published kept, last ${formatTime(summary.lastPublishedAt)}</p>
${summary.lastError ? html`<p class="notice error">last relay error: ${summary.lastError}</p>` : ''}
${
  parked.length
    ? html`<table><thead><tr><th>Parked row</th><th>Event</th><th>Attempts</th><th>Parked at</th><th>Reason</th><th></th></tr></thead><tbody>${parked.map(
        (row) => html`<tr><td>${row.id}</td><td>${row.type}<br><code class="muted">${row.eventId}</code></td><td>${row.attempts}</td><td>${formatTime(row.parkedAt)}</td><td>${row.reason ?? '–'}</td>
<td><form hx-post="/outbox/release" hx-target="closest td">${csrfField(context)}<input type="hidden" name="service" value="${entry.service}"><input type="hidden" name="id" value="${row.id}"><button type="submit">Release</button></form></td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  pending.length
    ? html`<details><summary>${pending.length} pending row${pending.length === 1 ? '' : 's'}</summary><table><tbody>${pending.map((row) => html`<tr><td>${row.id}</td><td>${row.type}</td><td>${formatTime(row.createdAt)}</td><td>${row.attempts} attempts</td><td>${row.lastError ?? ''}</td></tr>`)}</tbody></table></details>`
    : ''
}
${
  scheduled.length
    ? html`<details><summary>${scheduled.length} scheduled</summary><table><tbody>${scheduled.map((row) => html`<tr><td>${row.type}</td><td>${row.subject ?? ''}</td><td>due ${formatTime(row.deliverAt)}</td><td>${row.dueInSeconds > 0 ? `in ${formatAge(row.dueInSeconds)}` : `overdue ${formatAge(-row.dueInSeconds)}`}</td></tr>`)}</tbody></table></details>`
    : ''
}`;
}
