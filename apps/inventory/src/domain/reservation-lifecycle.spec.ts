import { ReservationStatus } from './reservation.entity';
import { reservationStep, type InventoryEvent, type ReservationFacts } from './reservation-lifecycle';

const { Reserved, Committed, Released, Rejected, Cancelled, Expired } = ReservationStatus;

describe('inventory follows orders', () => {
  it.each<[InventoryEvent, ReservationFacts, object]>([
    ['OrderPlaced', { reservation: null, knownCancelled: false, inStock: true }, { kind: 'record', status: Reserved, shelf: 'hold', announce: 'StockReserved' }],
    ['OrderPlaced', { reservation: null, knownCancelled: false, inStock: false }, { kind: 'record', status: Rejected, shelf: null, announce: 'StockRejected' }],
    ['OrderPlaced', { reservation: null, knownCancelled: true, inStock: true }, { kind: 'record', status: Cancelled, shelf: null, announce: null }],
    ...[Reserved, Committed, Released, Rejected, Cancelled].map((reservation): [InventoryEvent, ReservationFacts, object] => [
      'OrderPlaced',
      { reservation, knownCancelled: false, inStock: true },
      { kind: 'nothing', why: 'already decided' },
    ]),
    ['OrderConfirmed', { reservation: Reserved, knownCancelled: false }, { kind: 'record', status: Committed, shelf: 'take off', announce: null }],
    ['OrderConfirmed', { reservation: Committed, knownCancelled: false }, { kind: 'nothing', why: 'already decided' }],
    ...[null, Released, Rejected, Cancelled, Expired].map((reservation): [InventoryEvent, ReservationFacts, object] => [
      'OrderConfirmed',
      { reservation, knownCancelled: false },
      { kind: 'anomaly', why: `order confirmed with its reservation ${reservation ?? 'missing'}` },
    ]),
    ['OrderCancelled', { reservation: Reserved, knownCancelled: false }, { kind: 'record', status: Released, shelf: 'give back', announce: 'StockReleased' }],
    ['OrderCancelled', { reservation: null, knownCancelled: false }, { kind: 'nothing', why: 'nothing held' }],
    ...[Released, Rejected, Cancelled, Expired].map((reservation): [InventoryEvent, ReservationFacts, object] => [
      'OrderCancelled',
      { reservation, knownCancelled: true },
      { kind: 'nothing', why: 'already decided' },
    ]),
    ['OrderCancelled', { reservation: Committed, knownCancelled: false }, { kind: 'anomaly', why: 'order cancelled after it was confirmed; the stock stays sold' }],
  ])('%s with %j', (event, facts, expected) => {
    expect(reservationStep(event, facts)).toEqual(expected);
  });

  /** Folds events the way the handlers apply them: the cancellation is remembered whatever the step. */
  function run(events: InventoryEvent[], inStock = true) {
    let facts: ReservationFacts = { reservation: null, knownCancelled: false, inStock };
    let held = 0;
    const announced: string[] = [];
    for (const event of events) {
      const step = reservationStep(event, facts);
      if (step.kind === 'record') {
        facts = { ...facts, reservation: step.status };
        if (step.shelf === 'hold') held += 1;
        if (step.shelf === 'take off' || step.shelf === 'give back') held -= 1;
        if (step.announce) announced.push(step.announce);
      }
      if (event === 'OrderCancelled') facts = { ...facts, knownCancelled: true };
    }
    return { reservation: facts.reservation, held, announced };
  }

  it.each<[InventoryEvent[], boolean, object]>([
    [['OrderPlaced', 'OrderConfirmed'], true, { reservation: Committed, held: 0, announced: ['StockReserved'] }],
    [['OrderPlaced', 'OrderCancelled', 'OrderCancelled'], true, { reservation: Released, held: 0, announced: ['StockReserved', 'StockReleased'] }],
    [['OrderCancelled', 'OrderPlaced'], true, { reservation: Cancelled, held: 0, announced: [] }],
    [['OrderPlaced', 'OrderCancelled'], false, { reservation: Rejected, held: 0, announced: ['StockRejected'] }],
    [['OrderPlaced', 'OrderPlaced', 'OrderConfirmed', 'OrderConfirmed'], true, { reservation: Committed, held: 0, announced: ['StockReserved'] }],
  ])('%j (in stock: %s) ends holding nothing', (events, inStock, expected) => {
    expect(run(events, inStock)).toEqual(expected);
  });
});
