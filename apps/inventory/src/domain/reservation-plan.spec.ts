import { mergeLines, planReservation } from './reservation-plan';

describe('reservation plan', () => {
  const shelf = new Map([
    ['SKU-A', 5],
    ['SKU-B', 1],
  ]);

  it('holds every line when all are in stock', () => {
    expect(planReservation([{ sku: 'SKU-B', quantity: 1 }, { sku: 'SKU-A', quantity: 5 }], shelf)).toEqual({
      kind: 'reserve',
      lines: [
        { sku: 'SKU-A', quantity: 5 },
        { sku: 'SKU-B', quantity: 1 },
      ],
    });
  });

  it('holds nothing when one line is short, and names only the short lines', () => {
    expect(planReservation([{ sku: 'SKU-A', quantity: 1 }, { sku: 'SKU-B', quantity: 2 }], shelf)).toEqual({
      kind: 'reject',
      missing: [{ sku: 'SKU-B', requested: 2, available: 1 }],
    });
  });

  it('checks two lines of the same SKU against the shelf together', () => {
    expect(planReservation([{ sku: 'SKU-A', quantity: 3 }, { sku: 'SKU-A', quantity: 3 }], shelf)).toEqual({
      kind: 'reject',
      missing: [{ sku: 'SKU-A', requested: 6, available: 5 }],
    });
  });

  it('treats an unknown SKU as out of stock', () => {
    expect(planReservation([{ sku: 'SKU-NOPE', quantity: 1 }], shelf)).toEqual({ kind: 'reject', missing: [{ sku: 'SKU-NOPE', requested: 1, available: 0 }] });
  });

  it('merges and sorts lines by SKU, the order rows are locked in', () => {
    expect(mergeLines([{ sku: 'b', quantity: 1 }, { sku: 'A', quantity: 2 }, { sku: 'b', quantity: 3 }])).toEqual([
      { sku: 'A', quantity: 2 },
      { sku: 'b', quantity: 4 },
    ]);
  });
});
