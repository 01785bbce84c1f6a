/**
 * Prefixed to statements that write only bookkeeping the library can afford to lose in a database
 * crash (the relay's leases and marks, handler durations): their transaction's commit does not wait
 * for the WAL to reach disk. A lost lease or mark only makes its rows claimable and sent again
 * (at-least-once, as after a relay crash); the flush wait leaves the path of every event. A business transaction's commit, its outbox and inbox rows included,
 * stays synchronous: `SET LOCAL` ends with the statement's own transaction.
 */
export const BOOKKEEPING_COMMIT = 'SET LOCAL synchronous_commit = off';
