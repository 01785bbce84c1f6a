import { timingSafeEqual } from 'node:crypto';
import type { Role } from './operator-session';

/**
 * Decides who may log in and with which role. The console asks only this, so an OIDC login can
 * replace the token check without touching a page: it answers with the same name and role.
 */
export interface Authenticator {
  authenticate(credentials: { name: string; token: string }): Role | undefined;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

/** The operator token (OPS_TOKEN) logs in an operator; the read-only token (OPS_READONLY_TOKEN) a reader. */
export class TokenAuthenticator implements Authenticator {
  constructor(
    private readonly operatorToken: string,
    private readonly readerToken?: string,
  ) {}

  authenticate({ token }: { name: string; token: string }): Role | undefined {
    if (matches(token, this.operatorToken)) return 'operator';
    if (this.readerToken && matches(token, this.readerToken)) return 'reader';
    return undefined;
  }
}

function matches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
