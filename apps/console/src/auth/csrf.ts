import { Injectable } from '@nestjs/common';
import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';
import { sessionOf } from './operator-session';

/**
 * Synchroniser tokens (csrf-sync) kept in the signed session: every POST must carry the session's
 * token, as the `_csrf` field of a form or the `x-csrf-token` header htmx sends.
 */
@Injectable()
export class CsrfTokens {
  private readonly sync = csrfSync({
    getTokenFromRequest: (request) => (request.header('x-csrf-token') ?? (request.body as { _csrf?: string } | undefined)?._csrf) as string | undefined,
    getTokenFromState: (request) => sessionOf(request).csrfToken,
    storeTokenInState: (request, token) => {
      sessionOf(request).csrfToken = token;
    },
    errorConfig: { statusCode: 403, message: 'Invalid or missing CSRF token: reload the page and try again', code: 'EBADCSRFTOKEN' },
  });

  /** Refuses any POST, PUT, PATCH or DELETE without the session's token. */
  get protection(): RequestHandler {
    return this.sync.csrfSynchronisedProtection;
  }

  /** The session's token, created on first use. */
  tokenFor(request: Request): string {
    return sessionOf(request).csrfToken ?? this.sync.generateToken(request);
  }

  rotate(request: Request): string {
    return this.sync.generateToken(request, true);
  }
}
