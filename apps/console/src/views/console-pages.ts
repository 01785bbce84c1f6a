import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { CsrfTokens } from '../auth/csrf';
import { signedInOperator, type SignedInOperator } from '../auth/operator-session';
import type { Html } from './html';
import { page, type PageContext } from './layout';

/** Renders a page for the request's operator, with the session's CSRF token. */
@Injectable()
export class ConsolePages {
  constructor(private readonly csrf: CsrfTokens) {}

  context(request: Request): PageContext {
    return { operator: signedInOperator(request), csrfToken: this.csrf.tokenFor(request) };
  }

  render(request: Request, title: string, body: Html | ((context: PageContext) => Html), active = ''): Html {
    const context = this.context(request);
    return page(title, context, typeof body === 'function' ? body(context) : body, active);
  }

  operator(request: Request): SignedInOperator {
    const operator = signedInOperator(request);
    // The session guard let the request in, so there is one.
    if (!operator) throw new Error('No operator on a guarded route');
    return operator;
  }
}
