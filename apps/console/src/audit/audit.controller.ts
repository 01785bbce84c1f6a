import { Controller, Get, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ConsolePages } from '../views/console-pages';
import { html } from '../views/html';
import { formatTime } from '../views/layout';
import { AuditLog } from './audit-log';

@Controller('audit')
export class AuditController {
  constructor(
    private readonly audit: AuditLog,
    private readonly pages: ConsolePages,
  ) {}

  @Get()
  async list(@Req() request: Request) {
    const entries = await this.audit.latest();
    return this.pages.render(
      request,
      'Audit log',
      html`<table id="audit-log">
<thead><tr><th>When</th><th>Who</th><th>Role</th><th>Action</th><th>Target</th><th class="num">How many</th><th>Detail</th></tr></thead>
<tbody>${entries.map(
        (entry) => html`<tr>
<td>${formatTime(entry.at)}</td><td>${entry.who}</td><td>${entry.role}</td><td>${entry.action}</td><td><code>${entry.target}</code></td><td class="num">${entry.count}</td>
<td>${entry.detail ? html`<details><summary>detail</summary><pre>${detailText(entry.detail)}</pre></details>` : ''}</td></tr>`,
      )}</tbody>
</table>`,
      '/audit',
    );
  }
}

/** A diff is shown as the patch it is; anything else as JSON. */
function detailText(detail: Record<string, unknown>): string {
  const { diff, ...rest } = detail;
  return [Object.keys(rest).length > 0 ? JSON.stringify(rest, null, 2) : '', typeof diff === 'string' ? diff : ''].filter(Boolean).join('\n');
}
