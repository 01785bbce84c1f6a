import type { EntityManager } from 'typeorm';

/**
 * The next number of a series, gap-free: the counter row is locked FOR UPDATE and bumped in the
 * caller's transaction, so a rolled-back invoice gives its number back and concurrent invoices
 * queue for the row. (A database sequence would be faster, and would leave a gap on every rollback.)
 * MUST be called inside the transaction that inserts the invoice.
 */
export async function nextInvoiceSequence(manager: EntityManager, series: string): Promise<number> {
  // The first invoice of a series creates its counter; a concurrent first one finds it created.
  await manager.query(`INSERT INTO invoice_counters (series, last_number) VALUES ($1, 0) ON CONFLICT (series) DO NOTHING`, [series]);
  const [{ last_number: last }]: { last_number: string }[] = await manager.query(`SELECT last_number FROM invoice_counters WHERE series = $1 FOR UPDATE`, [series]);
  const next = Number(last) + 1;
  await manager.query(`UPDATE invoice_counters SET last_number = $2 WHERE series = $1`, [series, next]);
  return next;
}
