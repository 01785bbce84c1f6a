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

/** Holds lines for an order: available → reserved. MUST follow lockShelf for the same SKUs in the same transaction. */
export async function holdOnShelf(manager: EntityManager, lines: readonly StockLine[]): Promise<void> {
  await shift(manager, mergeLines(lines), { available: -1, reserved: 1 });
}

/** Gives held lines back (a cancelled order): reserved → available, locking the rows first. */
export async function returnToShelf(manager: EntityManager, lines: readonly StockLine[]): Promise<void> {
  const merged = mergeLines(lines);
  await lockShelf(manager, merged.map((line) => line.sku));
  await shift(manager, merged, { available: 1, reserved: -1 });
}

/** Held lines leave the shelf for good (a confirmed order), locking the rows first. */
export async function takeOffShelf(manager: EntityManager, lines: readonly StockLine[]): Promise<void> {
  const merged = mergeLines(lines);
  await lockShelf(manager, merged.map((line) => line.sku));
  await shift(manager, merged, { available: 0, reserved: -1 });
}

/** The CHECK constraints (available ≥ 0, reserved ≥ 0) stop any shift that would invent or lose stock. */
async function shift(manager: EntityManager, lines: readonly StockLine[], direction: { available: number; reserved: number }): Promise<void> {
  await manager.query(
    `UPDATE stock_items AS s SET available = s.available + d.quantity * $3, reserved = s.reserved + d.quantity * $4, updated_at = now()
     FROM unnest($1::text[], $2::int[]) AS d(sku, quantity) WHERE s.sku = d.sku`,
    [lines.map((line) => line.sku), lines.map((line) => line.quantity), direction.available, direction.reserved],
  );
}
