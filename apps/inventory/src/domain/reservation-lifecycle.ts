import { ReservationStatus } from './reservation.entity';

/** What inventory hears: orders' three announcements about an order. */
export type InventoryEvent = 'OrderPlaced' | 'OrderConfirmed' | 'OrderCancelled';

/** What inventory knows about the order when the event is handled, under the order's lock. */
export interface ReservationFacts {
  /** The order's reservation, if one was made. */
  reservation: ReservationStatus | null;
  /** An OrderCancelled about it has been handled before. */
  knownCancelled: boolean;
  /** For OrderPlaced: every line is on the shelf. */
  inStock?: boolean;
}

export type ReservationStep =
  | { kind: 'record'; status: ReservationStatus; shelf: 'hold' | 'take off' | 'give back' | null; announce: 'StockReserved' | 'StockRejected' | 'StockReleased' | null }
  | { kind: 'nothing'; why: 'already decided' | 'nothing held' }
  /** Cannot follow from what orders publishes; logged, and nothing changes. */
  | { kind: 'anomaly'; why: string };

const record = (status: ReservationStatus, shelf: 'hold' | 'take off' | 'give back' | null, announce: 'StockReserved' | 'StockRejected' | 'StockReleased' | null): ReservationStep => ({
  kind: 'record',
  status,
  shelf,
  announce,
});

/**
 * Inventory's side of an order: it follows orders' decisions and never makes one. A hold lasts
 * until the order is confirmed (the goods leave the shelf) or cancelled (they go back), and a
 * cancellation that arrives before the order itself is remembered, so the late order holds
 * nothing. ORDER-LIFECYCLE.md tabulates the orders these events can arrive in.
 */
export function reservationStep(event: InventoryEvent, facts: ReservationFacts): ReservationStep {
  const { reservation } = facts;
  switch (event) {
    case 'OrderPlaced':
      if (reservation) return { kind: 'nothing', why: 'already decided' };
      if (facts.knownCancelled) return record(ReservationStatus.Cancelled, null, null);
      return facts.inStock ? record(ReservationStatus.Reserved, 'hold', 'StockReserved') : record(ReservationStatus.Rejected, null, 'StockRejected');
    case 'OrderConfirmed':
      if (reservation === ReservationStatus.Reserved) return record(ReservationStatus.Committed, 'take off', null);
      if (reservation === ReservationStatus.Committed) return { kind: 'nothing', why: 'already decided' };
      return { kind: 'anomaly', why: `order confirmed with its reservation ${reservation ?? 'missing'}` };
    case 'OrderCancelled':
      if (reservation === ReservationStatus.Reserved) return record(ReservationStatus.Released, 'give back', 'StockReleased');
      if (reservation === ReservationStatus.Committed) return { kind: 'anomaly', why: 'order cancelled after it was confirmed; the stock stays sold' };
      return { kind: 'nothing', why: reservation ? 'already decided' : 'nothing held' };
  }
}
