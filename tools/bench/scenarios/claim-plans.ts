import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Client } from 'pg';
import type { BenchContext } from '../bench-context';
import type { ServiceChild } from '../infrastructure/service-child';

export interface ClaimPlans {
  /** Statements that locked outbox rows (the relay's claims). */
  claims: number;
  /** Of those, the ones whose every scan of the outbox was an index scan. */
  indexScans: number;
  /** Each kind of scan of the outbox and how often it was planned: "Index Scan using outbox_due_idx ×55". */
  summary: string;
}

/**
 * Runs `fire` against a relay whose sessions load auto_explain (set on the database while it runs),
 * and reads from the Postgres log how each claim (a statement locking outbox rows) was planned. A
 * scan of the outbox other than an index scan (a sequential or bitmap scan, which reads every
 * matching entry before the LIMIT) does not count as one. The relay runs in a process of its own,
 * stopped afterwards, so no measured run pays for the logging. The log goes to
 * claim-plans-<name>.log beside the results.
 */
export async function claimPlans(ctx: BenchContext, db: Client, name: string, fire: (relay: ServiceChild) => Promise<unknown>): Promise<ClaimPlans> {
  // Sessions opened from now on (the relay's; the bench's own connection is older) log every plan.
  const database = `"${(await db.query<{ name: string }>('SELECT current_database() AS name')).rows[0].name}"`;
  await db.query(`ALTER DATABASE ${database} SET session_preload_libraries = 'auto_explain'`);
  await db.query(`ALTER DATABASE ${database} SET auto_explain.log_min_duration = 0`);
  let log: string;
  try {
    const explaining = await ctx.services.start({ kind: 'orders', variant: 'outbox' });
    const stopCapture = ctx.stack.capturePostgresLog();
    try {
      await fire(explaining);
    } finally {
      log = stopCapture();
      await ctx.services.stop(explaining);
    }
  } finally {
    await db.query(`ALTER DATABASE ${database} RESET session_preload_libraries`);
    await db.query(`ALTER DATABASE ${database} RESET auto_explain.log_min_duration`);
  }
  // The plans as Postgres logged them, beside the results, for whoever changes the claim.
  const logFile = join(dirname(ctx.options.output), `claim-plans-${name}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, log);
  const plans = log.split(/duration: [\d.]+ ms\s+plan:/).slice(1);
  const scans = new Map<string, number>();
  let claims = 0;
  let indexScans = 0;
  for (const plan of plans) {
    if (!/LockRows/.test(plan) || !/ on outbox_messages\b/.test(plan)) continue;
    claims += 1;
    const found = [...plan.matchAll(/(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)(?: Backward)?(?: using (\S+))? on outbox_messages\b/g)].map((match) =>
      match[2] ? `${match[1]} using ${match[2]}` : match[1],
    );
    for (const scan of found) scans.set(scan, (scans.get(scan) ?? 0) + 1);
    if (found.length > 0 && found.every((scan) => scan.startsWith('Index'))) indexScans += 1;
  }
  if (claims === 0) ctx.notes.push('claim plans: none found in the Postgres log (auto_explain not loaded?)');
  return { claims, indexScans, summary: [...scans].map(([scan, times]) => `${scan} ×${times}`).join(', ') || 'no plans' };
}
