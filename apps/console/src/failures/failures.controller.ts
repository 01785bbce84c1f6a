import { DEAD_LETTER_ATTRIBUTES } from '@app/messaging';
import { checkEditedEvent, isDeadLetterAttribute, redriveDeadLetters, retryEdited, serviceNamed, type DeadLetter, type QueueOps } from '@app/operations';
import { BadRequestException, Body, Controller, Get, Inject, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { createTwoFilesPatch } from 'diff';
import type { Request, Response } from 'express';
import { AuditLog } from '../audit/audit-log';
import { OperatorOnly } from '../auth/access';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.config';
import { QUEUE_OPS } from '../system/queue-ops';
import { ConsolePages } from '../views/console-pages';
import { html, type Html } from '../views/html';
import { csrfField, formatTime, type PageContext } from '../views/layout';
import { ArchivedFailures } from './archived-failures';
import { FailureBrowser, type ServiceFailures } from './failure-browser';
import { Jobs, type Job } from './jobs';

type Form = Record<string, string | string[] | undefined>;
/** A form field that may come once or repeated (checkboxes). */
const many = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Failed messages: every DLQ, grouped; retry, archive and edit-and-retry, each written to the audit log. */
@Controller('failures')
export class FailuresController {
  constructor(
    private readonly failures: FailureBrowser,
    private readonly archived: ArchivedFailures,
    private readonly jobs: Jobs,
    private readonly audit: AuditLog,
    private readonly pages: ConsolePages,
    @Inject(QUEUE_OPS) private readonly queues: QueueOps,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Get()
  async list(@Req() request: Request, @Query('service') only?: string) {
    const all = (await this.failures.all()).filter((entry) => !only || entry.service === only);
    return this.pages.render(request, 'Failed messages', (context) => groupsView(all, context), '/failures');
  }

  @Get('archived')
  async archivedList(@Req() request: Request) {
    const rows = await this.archived.list();
    return this.pages.render(
      request,
      'Archived failures',
      (context) => html`<p class="muted">Hidden from the failure lists; still in their DLQ until its retention ends. A copy of each body is kept here.</p>
<table id="archived"><thead><tr><th>Service</th><th>Message</th><th>Type</th><th>Code</th><th>Reason</th><th>Archived</th><th>By</th><th></th></tr></thead><tbody>
${rows.map(
  (row) => html`<tr><td>${row.service}</td><td><code>${row.messageId}</code></td><td>${row.eventType ?? '–'}</td><td>${row.code ?? '–'}</td><td>${row.reason ?? '–'}</td><td>${formatTime(row.archivedAt)}</td><td>${row.archivedBy}</td>
<td><form method="post" action="/failures/restore">${csrfField(context)}<input type="hidden" name="service" value="${row.service}"><input type="hidden" name="messageId" value="${row.messageId}"><button type="submit" class="secondary">Restore</button></form></td></tr>`,
)}</tbody></table>`,
      '/failures',
    );
  }

  @Get('group/:service/:groupId')
  async group(@Req() request: Request, @Param('service') service: string, @Param('groupId') groupId: string) {
    const failures = await this.failures.ofService(this.serviceName(service));
    const group = failures.groups.find((candidate) => candidate.id === groupId);
    if (!group) throw new NotFoundException(`No failure group ${groupId} in ${service} (retried or archived since)`);
    const letters = failures.letters.filter((letter) => group.messageIds.includes(letter.messageId));
    return this.pages.render(
      request,
      `${group.count} × ${group.code ?? 'no code'} in ${service}`,
      (context) => html`<div class="card"><dl class="fields">
<dt>Event type</dt><dd>${group.eventType ?? '(not a CloudEvent)'}</dd><dt>Code</dt><dd>${group.code ?? '–'}</dd><dt>Reason</dt><dd>${group.reasonShape}</dd>
<dt>First seen</dt><dd>${formatTime(group.firstSeen)}</dd><dt>Last seen</dt><dd>${formatTime(group.lastSeen)}</dd></dl></div>
<form method="post" id="group-form" hx-post="/failures/retry" hx-target="#job" hx-swap="innerHTML">
${csrfField(context)}<input type="hidden" name="service" value="${service}">
<div class="actions">
  <button type="submit" name="scope" value="selected">Retry selected</button>
  <button type="submit" name="scope" value="group" class="secondary">Retry the whole group</button>
  <button type="submit" formaction="/failures/archive" hx-post="/failures/archive" name="scope" value="selected" class="danger">Archive selected</button>
  <input type="hidden" name="groupId" value="${group.id}">
</div>
<div id="job"></div>
${lettersTable(service, letters, true)}
</form>`,
      '/failures',
    );
  }

  @Get('message/:service/:messageId')
  async message(@Req() request: Request, @Param('service') service: string, @Param('messageId') messageId: string) {
    const letter = await this.failures.letter(this.serviceName(service), messageId);
    if (!letter) throw new NotFoundException(`No dead letter ${messageId} in ${service} (retried since, or held by another reader for a moment)`);
    const envelope = parsed(letter.body) as { correlationid?: string; causationid?: string; subject?: string; id?: string } | undefined;
    return this.pages.render(
      request,
      `Dead letter in ${service}`,
      (context) => html`<div class="card"><dl class="fields">
<dt>Message id</dt><dd><code>${letter.messageId}</code></dd><dt>Event type</dt><dd>${letter.eventType ?? '(not a CloudEvent)'}</dd><dt>Event id</dt><dd><code>${letter.eventId ?? '–'}</code></dd>
<dt>Code</dt><dd><strong>${letter.code ?? '–'}</strong></dd><dt>Reason</dt><dd id="reason">${letter.reason ?? '–'}</dd>
<dt>Dead-lettered</dt><dd>${letter.deadLetteredAt ?? formatTime(letter.sentAt)}</dd><dt>Correlation id</dt><dd>${envelope?.correlationid ? html`<a href="/flow?q=${envelope.correlationid}">${envelope.correlationid}</a>` : '–'}</dd>
<dt>Caused by</dt><dd><code>${envelope?.causationid ?? '–'}</code></dd></dl></div>
<h2>Attributes</h2>
<table id="attributes"><tbody>${attributeRows(letter)}</tbody></table>
${envelope?.correlationid ? html`<h2>Place in the flow</h2><div hx-get="/flow/view?q=${envelope.correlationid}&amp;highlight=${envelope.id ?? ''}" hx-trigger="load">loading the flow…</div>` : ''}
<h2>Edit and retry</h2>
<p class="muted">The body is checked against the ${letter.eventType ?? 'event'} contract before anything is sent; the change is kept in the audit log.</p>
<form method="post" action="/failures/message/${service}/${letter.messageId}/retry-edited" hx-post="/failures/message/${service}/${letter.messageId}/retry-edited" hx-target="#edit-result">
${csrfField(context)}
<textarea name="body" id="body" spellcheck="false">${pretty(letter.body)}</textarea>
<div class="actions">
  <button type="button" class="secondary" hx-post="/failures/message/${service}/${letter.messageId}/check" hx-include="#body" hx-target="#edit-result">Check against the contract</button>
  <button type="submit" id="retry-edited">Retry with this body</button>
</div>
<div id="edit-result"></div>
</form>
<h2>Retry or archive as it is</h2>
<div class="actions">
<form method="post" action="/failures/retry" hx-post="/failures/retry" hx-target="#job" class="inline">${csrfField(context)}<input type="hidden" name="service" value="${service}"><input type="hidden" name="messageId" value="${letter.messageId}"><input type="hidden" name="scope" value="selected"><button type="submit">Retry</button></form>
<form method="post" action="/failures/archive" class="inline">${csrfField(context)}<input type="hidden" name="service" value="${service}"><input type="hidden" name="messageId" value="${letter.messageId}"><button type="submit" class="danger">Archive</button></form>
</div>
<div id="job"></div>`,
      '/failures',
    );
  }

  /** Checks an edited body without sending anything. */
  @Post('message/:service/:messageId/check')
  check(@Param('service') service: string, @Body() form: Form) {
    const check = checkEditedEvent(serviceNamed(this.queues, this.serviceName(service)), String(form.body ?? ''));
    return check.ok ? html`<p class="notice ok" id="check-ok">Valid ${check.event.type} event: ready to send.</p>` : problemsView(check.problems);
  }

  @OperatorOnly()
  @Post('message/:service/:messageId/retry-edited')
  async retryEdited(@Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('service') service: string, @Param('messageId') messageId: string, @Body() form: Form) {
    const operated = serviceNamed(this.queues, this.serviceName(service));
    const edited = String(form.body ?? '');
    const check = checkEditedEvent(operated, edited);
    if (!check.ok) {
      // Nothing was sent: the operator fixes the body and tries again.
      response.status(422);
      return problemsView(check.problems);
    }
    const original = await this.failures.letter(operated.name, messageId);
    if (!original) throw new NotFoundException(`No dead letter ${messageId} in ${service} (retried since?)`);
    const result = await retryEdited(this.queues, operated.name, messageId, check.body);
    const operator = this.pages.operator(request);
    const diff = createTwoFilesPatch('dead letter', 'sent', pretty(original.body), JSON.stringify(check.event, null, 2), undefined, undefined, { context: 2 });
    await this.audit.record({ ...operator, action: 'retry-edited', target: `${operated.name}/${messageId}`, count: result.moved, detail: { eventId: check.event.id, type: check.event.type, failed: result.failed, diff } });
    if (result.failed.length > 0) return problemsView(result.failed.map((failure) => `${failure.id}: ${failure.reason}`));
    return html`<p class="notice ok" id="retried">Sent the edited ${check.event.type} back to ${result.to}. The change is in the audit log.</p>`;
  }

  /** Retries the chosen dead letters in the background, paced, with progress. */
  @OperatorOnly()
  @Post('retry')
  async retry(@Req() request: Request, @Body() form: Form) {
    const operator = this.pages.operator(request);
    const scope = String(form.scope ?? 'selected');
    const targets = await this.retryTargets(scope, form);
    if (targets.every((target) => target.messageIds.length === 0)) throw new BadRequestException('messageId: choose at least one dead letter');
    const job = this.jobs.start(`retry ${scope}`, async (progress) => {
      let moved = 0;
      const problems: string[] = [];
      const total = targets.reduce((sum, target) => sum + target.messageIds.length, 0);
      progress.start(total);
      for (const target of targets) {
        // Each service's own progress is folded into the job's.
        const result = await redriveDeadLetters(this.queues, target.service, { messageIds: target.messageIds }, { ...progress, start: () => undefined, setTotal: () => undefined, stop: () => undefined }, {
          ratePerSecond: this.config.retryRatePerSecond,
        });
        moved += result.moved;
        problems.push(...result.failed.map((failure) => `${target.service}/${failure.id}: ${failure.reason}`));
        await this.audit.record({ ...operator, action: `retry-${scope}`, target: target.label, count: result.moved, detail: { messageIds: target.messageIds, failed: result.failed } });
      }
      return `Sent ${moved} of ${total} dead letter${total === 1 ? '' : 's'} back to ${targets.map((target) => target.service).join(', ')}.${problems.length ? ` ${problems.length} could not be: ${problems.join('; ')}` : ''}`;
    });
    return jobView(job);
  }

  @Get('jobs/:id')
  job(@Param('id') id: string) {
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundException(`No job ${id}`);
    return jobView(job);
  }

  @OperatorOnly()
  @Post('archive')
  async archive(@Req() request: Request, @Res() response: Response, @Body() form: Form) {
    const service = this.serviceName(String(form.service ?? ''));
    const ids = new Set(many(form.messageId));
    if (ids.size === 0) throw new BadRequestException('messageId: choose at least one dead letter');
    const { letters } = await this.failures.ofService(service);
    const chosen = letters.filter((letter) => ids.has(letter.messageId));
    const archived = await this.archived.archive(service, chosen, this.pages.operator(request).who);
    await this.audit.record({ ...this.pages.operator(request), action: 'archive', target: service, count: archived, detail: { messageIds: chosen.map((letter) => letter.messageId) } });
    this.redirect(request, response, '/failures', html`<p class="notice ok" id="archived-notice">Archived ${archived} dead letter${archived === 1 ? '' : 's'}.</p>`);
  }

  @OperatorOnly()
  @Post('restore')
  async restore(@Req() request: Request, @Res() response: Response, @Body() form: Form) {
    const service = this.serviceName(String(form.service ?? ''));
    const restored = await this.archived.restore(service, many(form.messageId));
    await this.audit.record({ ...this.pages.operator(request), action: 'restore', target: service, count: restored, detail: { messageIds: many(form.messageId) } });
    this.redirect(request, response, '/failures/archived', html`<p class="notice ok">Restored ${restored}.</p>`);
  }

  /** A plain form goes to the page; htmx gets the notice and makes the page reload its list. */
  private redirect(request: Request, response: Response, to: string, notice: Html): void {
    if (request.header('hx-request')) response.setHeader('HX-Redirect', to).type('html').send(notice.text);
    else response.redirect(303, to);
  }

  private async retryTargets(scope: string, form: Form): Promise<{ service: string; label: string; messageIds: string[] }[]> {
    if (scope === 'all') {
      return (await this.failures.all()).map((entry) => ({ service: entry.service, label: `${entry.service} (all)`, messageIds: entry.letters.map((letter) => letter.messageId) }));
    }
    const service = this.serviceName(String(form.service ?? ''));
    if (scope === 'group') {
      const groupId = String(form.groupId ?? '');
      const group = (await this.failures.ofService(service)).groups.find((candidate) => candidate.id === groupId);
      if (!group) throw new NotFoundException(`No failure group ${groupId} in ${service}`);
      return [{ service, label: `${service} group ${group.id}`, messageIds: group.messageIds }];
    }
    return [{ service, label: service, messageIds: many(form.messageId) }];
  }

  private serviceName(name: string): string {
    try {
      return serviceNamed(this.queues, name).name;
    } catch (error) {
      throw new NotFoundException((error as Error).message);
    }
  }
}

function groupsView(all: readonly ServiceFailures[], context: PageContext): Html {
  const groups = all.flatMap((entry) => entry.groups);
  const total = groups.reduce((sum, group) => sum + group.count, 0);
  return html`<div class="actions">
  <span>${total} dead letter${total === 1 ? '' : 's'} in ${groups.length} group${groups.length === 1 ? '' : 's'}</span>
  <form method="post" action="/failures/retry" hx-post="/failures/retry" hx-target="#job" class="inline" hx-confirm="Send every dead letter back to its queue?">${csrfField(context)}<input type="hidden" name="scope" value="all"><button type="submit" ${total === 0 ? 'disabled' : ''}>Retry everything</button></form>
  <a href="/failures/archived">Archived</a>
</div>
<div id="job"></div>
${all.filter((entry) => entry.problem).map((entry) => html`<p class="notice error">${entry.service}: ${entry.problem}</p>`)}
${all.filter((entry) => entry.truncated).map((entry) => html`<p class="notice">${entry.service}: more dead letters than one page reads; the oldest are shown.</p>`)}
<table id="failure-groups"><thead><tr><th>Service</th><th>Event type</th><th>Code</th><th>Reason</th><th class="num">Count</th><th>First seen</th><th>Last seen</th><th></th></tr></thead><tbody>
${groups.map(
  (group) => html`<tr data-group="${group.id}" data-code="${group.code ?? ''}">
<td>${group.service}</td><td>${group.eventType ?? html`<span class="muted">(not a CloudEvent)</span>`}</td><td><strong>${group.code ?? '–'}</strong></td><td>${group.reasonShape}</td><td class="num">${group.count}</td>
<td>${formatTime(group.firstSeen)}</td><td>${formatTime(group.lastSeen)}</td><td><a class="button" href="/failures/group/${group.service}/${group.id}">Open</a></td></tr>`,
)}</tbody></table>
${groups.length === 0 ? html`<p class="notice ok">No dead letters.</p>` : ''}`;
}

function lettersTable(service: string, letters: readonly DeadLetter[], selectable: boolean): Html {
  return html`<table id="letters"><thead><tr>${selectable ? html`<th></th>` : ''}<th>Message</th><th>Event id</th><th>Reason</th><th>Dead-lettered</th></tr></thead><tbody>
${letters.map(
  (letter) => html`<tr data-message="${letter.messageId}">${selectable ? html`<td><input type="checkbox" name="messageId" value="${letter.messageId}" aria-label="select ${letter.messageId}"></td>` : ''}
<td><a href="/failures/message/${service}/${letter.messageId}">${letter.messageId}</a></td><td><code>${letter.eventId ?? '–'}</code></td><td>${letter.reason ?? '–'}</td><td>${letter.deadLetteredAt ?? formatTime(letter.sentAt)}</td></tr>`,
)}</tbody></table>`;
}

export function jobView(job: Job): Html {
  if (job.finished) return html`<p class="notice ${job.failed ? 'error' : 'ok'}" id="job-result">${job.outcome}</p>`;
  return html`<div hx-get="/failures/jobs/${job.id}" hx-trigger="every 1s" hx-swap="outerHTML"><p class="notice">${job.label}: <progress max="${job.total || 1}" value="${job.done}"></progress> ${job.done} / ${job.total}</p></div>`;
}

function problemsView(problems: readonly string[]): Html {
  return html`<div class="notice error" id="check-problems" role="alert"><strong>Not sent:</strong><ul>${problems.map((problem) => html`<li>${problem}</li>`)}</ul></div>`;
}

function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function pretty(body: string): string {
  const value = parsed(body);
  return value === undefined ? body : JSON.stringify(value, null, 2);
}

/**
 * Every attribute the message travelled with (restored from the dead letter's record, not only the
 * few copied beside it), then the dead_letter_* ones, muted; the record itself is not repeated.
 */
function attributeRows(letter: DeadLetter): Html[] {
  const sorted = (attributes: Record<string, string>) => Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
  const deadLetterOnes = sorted(letter.attributes).filter(([name]) => isDeadLetterAttribute(name) && name !== DEAD_LETTER_ATTRIBUTES.originalAttributes);
  return [
    ...sorted(letter.originalAttributes).map(([name, value]) => html`<tr><th>${name}</th><td><code>${value}</code></td></tr>`),
    ...deadLetterOnes.map(([name, value]) => html`<tr class="muted"><th>${name}</th><td><code>${value}</code></td></tr>`),
  ];
}
