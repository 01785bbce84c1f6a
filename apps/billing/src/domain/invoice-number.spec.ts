import { formatInvoiceNumber } from './invoice-number';

describe('invoice numbers', () => {
  it('pads the sequence within the year', () => {
    expect(formatInvoiceNumber(2026, 1)).toBe('INV-2026-000001');
    expect(formatInvoiceNumber(2026, 42)).toBe('INV-2026-000042');
  });

  it('grows wider rather than wrapping when a year has more invoices than the padding', () => {
    expect(formatInvoiceNumber(2026, 1_234_567)).toBe('INV-2026-1234567');
  });

  it.each([
    [2026, 0],
    [2026, -1],
    [2026, 1.5],
    [26, 1],
  ])('refuses year %s, sequence %s', (year, sequence) => {
    expect(() => formatInvoiceNumber(year, sequence)).toThrow(RangeError);
  });
});
