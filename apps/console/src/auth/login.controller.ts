import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditLog } from '../audit/audit-log';
import { csrfField, page } from '../views/layout';
import { html } from '../views/html';
import { Public } from './access';
import { AUTHENTICATOR, type Authenticator } from './authenticator';
import { CsrfTokens } from './csrf';
import { sessionOf } from './operator-session';

/** Logging in exchanges the token for a signed session cookie; the token itself is never stored in the browser. */
@Controller()
export class LoginController {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly csrf: CsrfTokens,
    private readonly audit: AuditLog,
  ) {}

  @Public()
  @Get('login')
  form(@Req() request: Request, @Query('next') next = '/', problem?: string) {
    const context = { csrfToken: this.csrf.tokenFor(request) };
    return page(
      'Log in',
      context,
      html`<form method="post" action="/login" class="card login">
  ${problem ? html`<p class="notice error" role="alert">${problem}</p>` : ''}
  ${csrfField(context)}
  <input type="hidden" name="next" value="${safeNext(next)}">
  <label for="name">Your name (for the audit log)</label>
  <input type="text" id="name" name="name" autocomplete="username" required maxlength="80">
  <label for="token">Operator token</label>
  <input type="password" id="token" name="token" autocomplete="current-password" required>
  <p><button type="submit">Log in</button></p>
</form>`,
    );
  }

  @Public()
  @Post('login')
  async login(@Req() request: Request, @Res() response: Response, @Body() body: { name?: string; token?: string; next?: string }) {
    const name = (body.name ?? '').trim().slice(0, 80);
    const role = name ? this.authenticator.authenticate({ name, token: body.token ?? '' }) : undefined;
    if (!role) {
      response.status(401).type('html').send(this.form(request, body.next, name ? 'That token is not valid.' : 'Say who you are.').text);
      return;
    }
    const session = sessionOf(request);
    session.who = name;
    session.role = role;
    session.since = new Date().toISOString();
    // A new login gets a new CSRF token: one issued before it cannot be replayed after.
    this.csrf.rotate(request);
    await this.audit.record({ who: name, role, action: 'login', target: 'console', count: 1 });
    response.redirect(303, safeNext(body.next));
  }

  @Public()
  @Post('logout')
  async logout(@Req() request: Request, @Res() response: Response) {
    const session = sessionOf(request);
    if (session.who && session.role) await this.audit.record({ who: session.who, role: session.role, action: 'logout', target: 'console', count: 1 });
    (request as Request & { session: unknown }).session = null;
    response.redirect(303, '/login');
  }
}

/** Only a path on this console: a login link cannot send the operator elsewhere. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
