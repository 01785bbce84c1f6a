import type { EntityManager } from 'typeorm';
import { mergeLines, type StockLine } from './reservation-plan';

/**
 * Locks the stock rows of these SKUs and reads what each has available. Rows are locked in SKU
 * order (byte order, the same as mergeLines), whichever transaction asks, so two transactions that
 * touch overlapping SKUs queue instead of deadlocking. MUST be called inside a transaction; the
 * locks last until it ends.
 */
export async function lockShelf(manager: EntityManager, skus: readonly string[]): Promise<Map<string, number>> {
  const rows: { sku: string; available: number }[] = await manager.query(
    `SELECT sku, available FROM stock_items WHERE sku = ANY($1::text[]) ORDER BY sku COLLATE "C" FOR UPDATE`,
    [skus],
  );
  return new Map(rows.map((row) => [row.sku, row.available]));
}

/** Deducts held lines. MUST follow lockShelf for the same SKUs in the same transaction. */
export async function takeFromShelf(manager: EntityManager, lines: readonly StockLine[]): Promise<void> {
  await shift(manager, mergeLines(lines), -1);
}

/** Puts lines back on the shelf (a release, an expiry), locking the rows first. */
export async function returnToShelf(manager: EntityManager, lines: readonly StockLine[]): Promise<void> {
  const merged = mergeLines(lines);
  await lockShelf(manager, merged.map((line) => line.sku));
  await shift(manager, merged, 1);
}

async function shift(manager: EntityManager, lines: readonly StockLine[], direction: 1 | -1): Promise<void> {
  await manager.query(
    `UPDATE stock_items AS s SET available = s.available + d.delta, updated_at = now()
     FROM unnest($1::text[], $2::int[]) AS d(sku, delta) WHERE s.sku = d.sku`,
    [lines.map((line) => line.sku), lines.map((line) => direction * line.quantity)],
  );
}
