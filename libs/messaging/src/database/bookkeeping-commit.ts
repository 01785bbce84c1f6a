/**
 * Prefixed to statements that write only bookkeeping the library can afford to lose in a database
 * crash (the relay's leases and marks, handler durations): their transaction's commit does not wait
 * for the WAL to reach disk. A business transaction's commit, its outbox and inbox rows included,
 * stays synchronous: `SET LOCAL` ends with the statement's own transaction.
 */
export const BOOKKEEPING_COMMIT = 'SET LOCAL synchronous_commit = off';
