/**
 * Errors that say the database could not be reached at all, as opposed to a handler failing on it:
 * connection refused or reset, the server shutting down or starting up, connection-class SQLSTATEs.
 * While they last, no handler can run, so they must not count as attempts of the message.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const SERVER_UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03']);

export function isDatabaseUnreachable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) return true;
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && /Connection terminated|connection timeout|the database system is (starting up|shutting down)|not currently accepting connections/i.test(message)) return true;
  }
  return false;
}
