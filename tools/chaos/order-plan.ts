import { randomUUID } from 'node:crypto';
import type { Random } from './random';

/** The three ways an order can end, each triggered by what is asked for. */
export type OrderKind = 'happy' | 'declined' | 'outOfStock';

export interface OrderRequest {
  customerId: string;
  currency: string;
  items: { sku: string; quantity: number; unitPrice: number }[];
}

export interface PlannedOrder {
  /** The Idempotency-Key it is placed with: retries reuse it, so a key names one order. */
  key: string;
  kind: OrderKind;
  request: OrderRequest;
  total: number;
}

/** SKUs of a run: plenty of stock on some, none at all on one. Stock is not adjusted during the run. */
export interface Catalogue {
  plentiful: readonly string[];
  empty: string;
  initialStock: Readonly<Record<string, number>>;
}

export function chaosCatalogue(): Catalogue {
  const plentiful = ['CHAOS-A', 'CHAOS-B', 'CHAOS-C'];
  const empty = 'CHAOS-EMPTY';
  return { plentiful, empty, initialStock: { ...Object.fromEntries(plentiful.map((sku) => [sku, 1_000_000])), [empty]: 0 } };
}

/** What every service holds about an order of each kind once the system has settled. */
export const EXPECTED_OUTCOME = {
  happy: {
    status: 'SHIPPED',
    reason: null,
    reservation: 'COMMITTED',
    payment: 'COMPLETED',
    refunded: false,
    invoiced: true,
    shipped: true,
    notifications: ['shop.invoice.issued.v1', 'shop.shipment.dispatched.v1'],
  },
  declined: {
    status: 'CANCELLED',
    reason: 'PAYMENT_DECLINED',
    reservation: 'RELEASED',
    payment: 'DECLINED',
    refunded: false,
    invoiced: false,
    shipped: false,
    notifications: ['shop.order.cancelled.v1'],
  },
  outOfStock: {
    status: 'CANCELLED',
    reason: 'OUT_OF_STOCK',
    reservation: 'REJECTED',
    payment: null,
    refunded: false,
    invoiced: false,
    shipped: false,
    notifications: ['shop.order.cancelled.v1'],
  },
} as const satisfies Record<OrderKind, unknown>;

export interface ExpectedOutcome {
  status: string;
  reason: string | null;
  reservation: string;
  payment: string | null;
  /** The completed charge was given back: one refund, at the provider and in payments. */
  refunded: boolean;
  invoiced: boolean;
  shipped: boolean;
  notifications: readonly string[];
}

/** What each service may have done about an order of each kind that its payment deadline cancelled. */
const TIMED_OUT = {
  // Held and released, or cancelled before inventory heard of it; rejected first, for an out-of-stock order.
  reservations: { happy: ['RELEASED', 'CANCELLED'], declined: ['RELEASED', 'CANCELLED'], outOfStock: ['REJECTED', 'CANCELLED'] },
  // Not reached, known cancelled in time (NOT_CHARGED), declined, or charged late and then refunded.
  payments: { happy: [null, 'NOT_CHARGED', 'COMPLETED'], declined: [null, 'NOT_CHARGED', 'DECLINED'], outOfStock: [null] },
} as const satisfies Record<string, Record<OrderKind, readonly (string | null)[]>>;

/**
 * An order its payment deadline cancelled (only when a run gives orders a short deadline): nothing
 * invoiced or shipped, the stock back, and a charge that completed anyway refunded exactly once.
 * Which of the allowed records each service holds depends on the race; the observed one is taken
 * when it is allowed, and the first allowed one (which then differs) when it is not.
 */
export function timedOutOutcome(kind: OrderKind, observed: { reservation?: string; payment?: string }): ExpectedOutcome {
  const pick = <T extends string | null>(allowed: readonly T[], seen: string | null) => (allowed.includes(seen as T) ? (seen as T) : allowed[0]);
  const reservation = pick(TIMED_OUT.reservations[kind], observed.reservation ?? null) as string;
  const payment = pick(TIMED_OUT.payments[kind], observed.payment ?? null);
  const refunded = payment === 'COMPLETED';
  return {
    status: 'CANCELLED',
    reason: 'PAYMENT_TIMEOUT',
    reservation,
    payment,
    refunded,
    invoiced: false,
    shipped: false,
    notifications: refunded ? ['shop.order.cancelled.v1', 'shop.payment.refunded.v1'] : ['shop.order.cancelled.v1'],
  };
}

/**
 * Draws orders: happy ones stay under the payment limit, declined ones go over it, and
 * out-of-stock ones ask for the empty SKU next to a plentiful one, so all-or-nothing is exercised
 * (the plentiful line must not be held either).
 */
export class OrderPlanner {
  private count = 0;

  constructor(
    private readonly random: Random,
    private readonly catalogue: Catalogue,
    private readonly declineAbove: number,
    private readonly mix: Readonly<Record<OrderKind, number>> = { happy: 70, declined: 15, outOfStock: 15 },
  ) {}

  next(): PlannedOrder {
    this.count += 1;
    const kind = this.random.weighted(this.mix);
    const items = this.itemsFor(kind);
    const request = { customerId: `chaos-customer-${this.count}`, currency: 'EUR', items };
    return { key: `chaos-${randomUUID()}`, kind, request, total: items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0) };
  }

  private itemsFor(kind: OrderKind): OrderRequest['items'] {
    const plentiful = () => this.random.pick(this.catalogue.plentiful);
    switch (kind) {
      case 'happy':
        // Up to three lines, sometimes two of one SKU; at most 3 × 3 × 9,999 < the payment limit.
        return Array.from({ length: this.random.int(1, 3) }, () => ({ sku: plentiful(), quantity: this.random.int(1, 3), unitPrice: this.random.int(100, 9_999) }));
      case 'declined':
        return [{ sku: plentiful(), quantity: 1, unitPrice: this.declineAbove + this.random.int(1, 50_000) }];
      case 'outOfStock':
        return [
          { sku: plentiful(), quantity: this.random.int(1, 3), unitPrice: this.random.int(100, 9_999) },
          { sku: this.catalogue.empty, quantity: 1, unitPrice: this.random.int(100, 9_999) },
        ];
    }
  }
}
