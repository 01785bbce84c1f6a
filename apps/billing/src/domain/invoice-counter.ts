import type { EntityManager } from 'typeorm';

export interface InvoiceSlot {
  /** The series: the year of `issuedAt`, in UTC. */
  series: string;
  sequence: number;
  /** When the number was taken, by the database clock. */
  issuedAt: Date;
}

/**
 * The next invoice number and its date, gap-free and in date order. One lock serialises all
 * numbering (an advisory lock: a series row may not exist yet when its first invoice comes), and
 * the date and series are read from the database clock only once it is held, so a number taken
 * later always carries a later (or equal) date, and a year's series closes before the next one
 * opens, whichever replica's clock is skewed. `clock_timestamp()`, not `now()`: `now()` is when
 * the transaction began, possibly before a wait for the lock. The counter row is bumped in the
 * caller's transaction, so a rolled-back invoice gives its number back. (A database sequence would
 * be faster, and would leave a gap on every rollback.) MUST be called inside the transaction that
 * inserts the invoice.
 */
export async function nextInvoiceSlot(manager: EntityManager): Promise<InvoiceSlot> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('billing:invoice-numbering'))`);
  const [{ issued_at: issuedAt, series }]: { issued_at: Date; series: string }[] = await manager.query(
    `SELECT t AS issued_at, to_char(t AT TIME ZONE 'UTC', 'YYYY') AS series FROM clock_timestamp() AS t`,
  );
  const [{ last_number: sequence }]: { last_number: string }[] = await manager.query(
    `INSERT INTO invoice_counters (series, last_number) VALUES ($1, 1)
     ON CONFLICT (series) DO UPDATE SET last_number = invoice_counters.last_number + 1
     RETURNING last_number`,
    [series],
  );
  return { series, sequence: Number(sequence), issuedAt };
}
