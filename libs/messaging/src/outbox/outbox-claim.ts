/** One row as a claim returns it. */
export interface ClaimedRow {
  id: string;
  event_id: string;
  type: string;
  topic: string;
  group_key: string | null;
  destination: 'topic' | 'own-queue';
  /** The envelope as stored: sent as is, never parsed and serialised again. */
  body: string;
  traceparent: string | null;
  /** Attempts before this one. */
  attempts: number;
  /** When the row became sendable: its commit, or its due time if that was later. */
  due_at: Date;
}

/** Standard rows no relay is sending: their lease lives in `leased_until` alone (see standardClaimSql). */
export const NOT_LEASED = '(leased_until IS NULL OR leased_until <= now())';

/** Rows the relay may send: not sent, not given up on. */
export const PENDING = 'published_at IS NULL AND parked_at IS NULL';

const RETURNED = `o.id, o.event_id, o.type, o.topic, o.group_key, o.destination, o.envelope::text AS body,
  o.envelope->>'traceparent' AS traceparent, o.attempts, greatest(o.created_at, o.deliver_at) AS due_at`;

export interface ClaimShape {
  /** `"schema".outbox_messages` */
  table: string;
  /** Rows per kind (ready, due) in one claim. */
  limit: number;
  leaseSeconds: number;
}

/**
 * The earliest future instant a row becomes claimable (a due time, a backoff's end, a FIFO row's
 * lease running out), as a wait in milliseconds measured by the database clock; null when none. A
 * standard row's lease is not in it (finding those would take a scan of every pending row): one
 * that runs out, its relay gone, is claimed at the next poll (OUTBOX_POLL_MS) or commit.
 */
export function nextDueSql({ table }: Pick<ClaimShape, 'table'>): string {
  return `SELECT (extract(epoch FROM min(available_at) - now()) * 1000)::float8 AS ms FROM ${table} WHERE ${PENDING} AND available_at > now()`;
}

/**
 * Leases standard rows: those ready at once in commit order, and those whose time has come in due
 * order. The lease is written and committed by this one statement, before anything is sent, so no
 * transaction or connection is held while the broker has the batch; a relay that dies leaves rows
 * that become claimable again when their lease runs out (at-least-once).
 *
 * The lease writes `leased_until` alone, a column in no index and no index predicate, into pages
 * kept with room for it (OutboxHotLease): a heap-only update, which adds no entry to any of the
 * outbox's indexes. The row stays in its index while leased, so each claim steps over the rows of
 * the rounds still sending (at most a few claims' worth), by the NOT_LEASED filter.
 *
 * Its shape keeps its cost independent of planner statistics: each subquery's predicate is exactly
 * its partial index's, ordered by the index key with a LIMIT, so the planner has nothing to gain from
 * a bitmap scan (which would read every entry of the index, the rows this burst already sent
 * included, on every claim) and walks the index from the front.
 */
export function standardClaimSql({ table, limit, leaseSeconds }: ClaimShape): string {
  return `WITH ready AS (
      SELECT id FROM ${table} WHERE ${PENDING} AND available_at IS NULL AND group_key IS NULL AND ${NOT_LEASED}
      ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ), due AS (
      SELECT id FROM ${table} WHERE ${PENDING} AND available_at IS NOT NULL AND available_at <= now() AND group_key IS NULL AND ${NOT_LEASED}
      ORDER BY available_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )
    UPDATE ${table} AS o SET leased_until = now() + interval '${leaseSeconds} seconds'
    FROM (SELECT id FROM ready UNION ALL SELECT id FROM due) AS claimed WHERE o.id = claimed.id
    RETURNING ${RETURNED}`;
}

/**
 * Leases FIFO rows in id order, each only if no earlier row of its message group is being sent
 * (leased) or backing off: a group's later event never leaves while an earlier one may still go. A
 * row not due yet (a scheduled event) holds nothing up; a parked row neither (as a FIFO queue's
 * dead-letter queue, it leaves the group to go on).
 *
 * One relay claims FIFO rows at a time (a transaction-scoped advisory lock, held for this statement
 * only): two claims side by side could each see the other's earlier row as free. Rows are locked
 * NOWAIT rather than skipped: a row a caller is cancelling or rescheduling must not be passed over
 * while its group's later rows go; the claim then fails and is tried at the next wake-up.
 */
export function fifoClaimSql({ table, limit, leaseSeconds }: ClaimShape): string {
  const lockKey = `outbox-fifo:${table}`.replaceAll("'", "''");
  return `WITH leader AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(hashtext('${lockKey}')) AS is_leader),
    candidates AS (
      SELECT p.id FROM ${table} AS p
      WHERE (SELECT is_leader FROM leader)
        AND p.published_at IS NULL AND p.parked_at IS NULL AND p.group_key IS NOT NULL
        AND (p.available_at IS NULL OR p.available_at <= now())
        AND NOT EXISTS (
          SELECT 1 FROM ${table} AS earlier
          WHERE earlier.group_key = p.group_key AND earlier.id < p.id
            AND earlier.published_at IS NULL AND earlier.parked_at IS NULL AND earlier.group_key IS NOT NULL
            -- coalesce: not a condition the due-time index can serve, so the probe is the group's index
            AND coalesce(earlier.available_at, '-infinity') > now() AND coalesce(earlier.deliver_at, '-infinity') <= now())
      ORDER BY p.id LIMIT ${limit} FOR UPDATE OF p NOWAIT
    )
    UPDATE ${table} AS o SET available_at = now() + interval '${leaseSeconds} seconds', leased_until = now() + interval '${leaseSeconds} seconds'
    FROM candidates WHERE o.id = candidates.id
    RETURNING ${RETURNED}`;
}

/** What became of one claimed row. */
export type RowOutcome =
  | { id: string; outcome: 'sent' }
  | { id: string; outcome: 'retry'; reason: string; delayMs: number }
  | { id: string; outcome: 'park'; reason: string }
  /** Not sent, through no fault of its own (the call failed whole, or an earlier row of its group stopped): no attempt counted. */
  | { id: string; outcome: 'release' };

/**
 * Records a round's outcomes in one statement, leases cleared. A row another relay has meanwhile
 * published (after this relay's lease ran out) is left as it is.
 */
export function recordOutcomesSql({ table }: Pick<ClaimShape, 'table'>): string {
  return `UPDATE ${table} AS o SET
      published_at = CASE WHEN f.outcome = 'sent' THEN now() END,
      parked_at = CASE WHEN f.outcome = 'park' THEN now() END,
      attempts = o.attempts + CASE WHEN f.outcome = 'release' THEN 0 ELSE 1 END,
      last_error = CASE WHEN f.outcome IN ('retry', 'park') THEN f.reason ELSE o.last_error END,
      available_at = CASE f.outcome WHEN 'retry' THEN now() + f.delay_ms * interval '1 millisecond' WHEN 'release' THEN NULL ELSE o.available_at END,
      leased_until = NULL
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS f(id, outcome, reason, delay_ms)
    WHERE o.id = f.id AND o.published_at IS NULL`;
}

export function recordOutcomesParams(outcomes: readonly RowOutcome[]): unknown[] {
  return [
    outcomes.map((row) => row.id),
    outcomes.map((row) => row.outcome),
    outcomes.map((row) => ('reason' in row ? row.reason : null)),
    outcomes.map((row) => ('delayMs' in row ? row.delayMs : null)),
  ];
}

/** The common case, every row sent: ids inlined (bigints read from the table), one simple message. */
export function markSentSql({ table }: Pick<ClaimShape, 'table'>, ids: readonly string[]): string {
  const safe = ids.filter((id) => /^\d+$/.test(id));
  return `UPDATE ${table} SET published_at = now(), attempts = attempts + 1, leased_until = NULL WHERE id = ANY('{${safe.join(',')}}'::bigint[]) AND published_at IS NULL`;
}
