import type { Request } from 'express';

/** What a role may do: a reader sees every page; only an operator changes anything. */
export type Role = 'operator' | 'reader';

/** The signed session cookie's content. */
export interface OperatorSession {
  who?: string;
  role?: Role;
  /** When the operator logged in (ISO-8601). */
  since?: string;
  csrfToken?: string | null;
}

export interface SignedInOperator {
  who: string;
  role: Role;
}

export function sessionOf(request: Request): OperatorSession {
  const holder = request as Request & { session?: OperatorSession | null };
  if (!holder.session) holder.session = {};
  return holder.session;
}

export function signedInOperator(request: Request): SignedInOperator | undefined {
  const session = sessionOf(request);
  return session.who && session.role ? { who: session.who, role: session.role } : undefined;
}
