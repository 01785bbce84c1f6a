/** Digits of the sequence part; a year with more invoices than this still formats, only wider. */
const SEQUENCE_WIDTH = 6;

/**
 * An invoice number: the series (the year, as many jurisdictions ask numbering to restart yearly)
 * and the position in it, `INV-2026-000042`.
 */
export function formatInvoiceNumber(year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`Invoice year must have four digits, got ${year}`);
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`Invoice sequence must be a positive integer, got ${sequence}`);
  return `INV-${year}-${String(sequence).padStart(SEQUENCE_WIDTH, '0')}`;
}
