/**
 * Backoff for anything retried after failing calls in a row (a broker or database that does not
 * answer, a row the broker refused): the delay doubles from `baseMs` up to `maxMs`, and half of it
 * is random, so callers that failed together do not come back together.
 */
export function jitteredBackoffMs(backoff: { baseMs: number; maxMs: number }, failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (Math.max(1, failures) - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
