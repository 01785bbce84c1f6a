export interface StockLine {
  sku: string;
  quantity: number;
}

export interface MissingLine {
  sku: string;
  requested: number;
  available: number;
}

export type ReservationPlan = { kind: 'reserve'; lines: StockLine[] } | { kind: 'reject'; missing: MissingLine[] };

/**
 * One line per SKU, in the order rows are locked in. Two order lines for the same SKU must be
 * checked against the shelf together, and every transaction that locks several stock rows takes
 * them in this same order, so two of them can never wait on each other.
 */
export function mergeLines(lines: readonly StockLine[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * All lines or none: the order is held only if every SKU has enough; otherwise every short line is
 * reported, so the customer hears about all of them at once. An unknown SKU has nothing available.
 */
export function planReservation(requested: readonly StockLine[], available: ReadonlyMap<string, number>): ReservationPlan {
  const lines = mergeLines(requested);
  const missing = lines
    .map(({ sku, quantity }) => ({ sku, requested: quantity, available: available.get(sku) ?? 0 }))
    .filter((line) => line.requested > line.available);
  return missing.length > 0 ? { kind: 'reject', missing } : { kind: 'reserve', lines };
}
