import { EXPECTED_OUTCOME, timedOutOutcome, type Catalogue, type ExpectedOutcome } from './order-plan';
import type { PlacedOrder } from './order-stream';
import type { Poison } from './poison';

export interface OrderRow {
  id: string;
  /** The Idempotency-Key it was placed with (null: placed without one). */
  key: string | null;
  customerId: string;
  status: string;
  reason: string | null;
  total: number;
  lines: { sku: string; quantity: number; unitPrice: number }[];
}

export interface DeadLetterRow {
  service: string;
  body: string;
  code?: string;
  reason?: string;
}

/** What every service holds once the system has settled, read straight from their schemas and queues. */
export interface ShopSnapshot {
  orders: OrderRow[];
  /** An order that reached one status more than once. */
  repeatedStatuses: { orderId: string; status: string; times: number }[];
  reservations: { orderId: string; status: string }[];
  payments: { orderId: string; status: string; amount: number }[];
  refunds: { orderId: string; amount: number }[];
  /** What the (simulated) payment provider did, by its own records: charges approved or declined, refunds. */
  provider: { orderId: string; operation: 'charge' | 'refund'; approved: boolean; amount: number }[];
  invoices: { orderId: string; number: string; amount: number }[];
  invoiceCounters: { series: string; lastNumber: number }[];
  shipments: { orderId: string }[];
  notifications: { orderId: string; eventType: string }[];
  stock: Record<string, { available: number; reserved: number }>;
  /** Per service schema: events never sent, and events written more than once about one subject. */
  outboxes: { schema: string; pending: number; repeated: { type: string; subject: string; times: number }[] }[];
  queues: { name: string; waiting: number; inFlight: number; delayed: number }[];
  deadLetters: DeadLetterRow[];
}

export interface InvariantReport {
  violations: string[];
  /** Orders that exist, by how they ended. */
  outcomes: Record<string, number>;
  /** Planned orders whose every attempt failed before the shop answered, and which do not exist. */
  neverPlaced: number;
  /** Orders charged and then refunded because their cancellation came first (a late payment). */
  refunded: number;
  /**
   * Extra copies of poison in the DLQs: dead-lettering is at least once (a consumer that dies between
   * sending to the DLQ and deleting the original dead-letters it again when it comes back).
   */
  repeatedDeadLetters: number;
}

const MAX_LISTED = 10;

/**
 * Everything that must hold after crashes, restarts and bad input, checked against what was asked
 * for: each order ended as its input says, and each of its effects happened exactly once.
 */
export function checkInvariants(
  snapshot: ShopSnapshot,
  placed: readonly PlacedOrder[],
  catalogue: Catalogue,
  poisons: readonly Poison[],
  options: { paymentsMayTimeOut?: boolean } = {},
): InvariantReport {
  const violations = new Violations();
  const byKey = new Map(snapshot.orders.filter((order) => order.key).map((order) => [order.key as string, order]));
  const planned = new Map(placed.map((order) => [order.key, order]));
  const group = <T extends { orderId: string }>(rows: readonly T[]) => {
    const map = new Map<string, T[]>();
    for (const row of rows) map.set(row.orderId, [...(map.get(row.orderId) ?? []), row]);
    return map;
  };
  const reservations = group(snapshot.reservations);
  const payments = group(snapshot.payments);
  const refunds = group(snapshot.refunds);
  const providerCharges = group(snapshot.provider.filter((row) => row.operation === 'charge' && row.approved));
  const providerRefunds = group(snapshot.provider.filter((row) => row.operation === 'refund'));
  const invoices = group(snapshot.invoices);
  const shipments = group(snapshot.shipments);
  const notifications = group(snapshot.notifications);
  const outcomes: Record<string, number> = {};
  let neverPlaced = 0;
  const expectedStock = { ...catalogue.initialStock };

  for (const order of snapshot.orders) {
    if (!order.key || !planned.has(order.key)) violations.add('unexpected order', `${order.id} (key ${order.key ?? 'none'}) was never asked for`);
  }

  for (const plan of placed) {
    const order = byKey.get(plan.key);
    if (!order) {
      if (plan.orderId) violations.add('lost order', `${plan.orderId} was accepted (202) but does not exist`);
      else neverPlaced += 1;
      continue;
    }
    const id = order.id;
    if (plan.orderId && plan.orderId !== id) violations.add('key answered twice', `key ${plan.key} answered ${plan.orderId} but holds ${id}`);
    const charged = payments.get(id) ?? [];
    const held = reservations.get(id) ?? [];
    const expected = expectedFor(plan, order, charged, held, options.paymentsMayTimeOut ?? false);
    const outcome = `${order.status}${order.reason ? ` ${order.reason}` : ''}`;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;

    if (order.status !== expected.status || order.reason !== expected.reason) {
      violations.add('wrong end state', `${id} (${plan.kind}) ended ${outcome}, expected ${expected.status}${expected.reason ? ` ${expected.reason}` : ''}`);
    }
    if (order.customerId !== plan.request.customerId || order.total !== plan.total || !sameLines(order.lines, plan.request.items)) {
      violations.add('order differs from its input', `${id}: ${JSON.stringify({ customerId: order.customerId, total: order.total, lines: order.lines })}`);
    }

    if (held.length !== 1 || held[0].status !== expected.reservation) {
      violations.add('reservation', `${id} (${plan.kind}): ${JSON.stringify(held.map((row) => row.status))}, expected ["${expected.reservation}"]`);
    }
    const expectedPayments = expected.payment ? [expected.payment] : [];
    if (JSON.stringify(charged.map((row) => row.status)) !== JSON.stringify(expectedPayments) || charged.some((row) => row.amount !== plan.total)) {
      violations.add('payment attempts', `${id} (${plan.kind}): ${JSON.stringify(charged)}, expected ${JSON.stringify(expectedPayments)} of ${plan.total}`);
    }
    // Money: charged at the provider once at most, exactly when payments says COMPLETED; given back
    // exactly once when the order did not go ahead, never when it did.
    const charges = providerCharges.get(id) ?? [];
    const chargedAtProvider = charged.some((row) => row.status === 'COMPLETED');
    if (charges.length !== (chargedAtProvider ? 1 : 0) || charges.some((row) => row.amount !== plan.total)) {
      violations.add('provider charges', `${id} (${plan.kind}): ${charges.length} approved charge(s) at the provider, payments says ${JSON.stringify(charged.map((row) => row.status))}`);
    }
    const refunded = refunds.get(id) ?? [];
    const refundedAtProvider = providerRefunds.get(id) ?? [];
    const wantRefunds = expected.refunded ? 1 : 0;
    if (refunded.length !== wantRefunds || refundedAtProvider.length !== wantRefunds || [...refunded, ...refundedAtProvider].some((row) => row.amount !== plan.total)) {
      violations.add(
        'refunds',
        `${id} (${plan.kind}, ${outcome}): ${refunded.length} refund(s) in payments, ${refundedAtProvider.length} at the provider, expected ${wantRefunds} of ${plan.total}`,
      );
    }
    if (order.status === 'CANCELLED' && charges.length > 0 && refundedAtProvider.length !== 1) {
      violations.add('charged but cancelled, not refunded once', `${id}: ${refundedAtProvider.length} refund(s)`);
    }
    const invoiced = invoices.get(id) ?? [];
    if (invoiced.length !== (expected.invoiced ? 1 : 0) || invoiced.some((row) => row.amount !== plan.total)) {
      violations.add('invoices', `${id} (${plan.kind}): ${JSON.stringify(invoiced)}, expected ${expected.invoiced ? 'one' : 'none'}`);
    }
    const shipped = shipments.get(id) ?? [];
    if (shipped.length !== (expected.shipped ? 1 : 0)) violations.add('shipments', `${id} (${plan.kind}): ${shipped.length}, expected ${expected.shipped ? 1 : 0}`);
    if (order.status === 'CANCELLED' && shipped.length > 0) violations.add('shipped though cancelled', `${id} (${outcome})`);
    const told = (notifications.get(id) ?? []).map((row) => row.eventType).sort();
    if (JSON.stringify(told) !== JSON.stringify(expected.notifications)) {
      violations.add('notifications', `${id} (${plan.kind}): ${JSON.stringify(told)}, expected ${JSON.stringify(expected.notifications)}`);
    }
  }

  // What left the shelf for good is what was shipped.
  const linesOf = new Map([...placed.filter((plan) => plan.orderId).map((plan) => [plan.orderId as string, plan.request.items] as const), ...snapshot.orders.map((order) => [order.id, order.lines] as const)]);
  for (const orderId of new Set(snapshot.shipments.map((shipment) => shipment.orderId))) {
    for (const item of linesOf.get(orderId) ?? []) expectedStock[item.sku] = (expectedStock[item.sku] ?? 0) - item.quantity;
  }

  const known = new Set(snapshot.orders.map((order) => order.id));
  for (const [what, rows] of [
    ['reservation', snapshot.reservations],
    ['payment', snapshot.payments],
    ['refund', snapshot.refunds],
    ['invoice', snapshot.invoices],
    ['shipment', snapshot.shipments],
    ['notification', snapshot.notifications],
  ] as const) {
    for (const row of rows) if (!known.has(row.orderId)) violations.add(`${what} of no order`, row.orderId);
  }
  for (const repeated of snapshot.repeatedStatuses) violations.add('status reached twice', `${repeated.orderId} ${repeated.status} ×${repeated.times}`);

  checkInvoiceNumbers(snapshot, violations);

  // No stock lost, invented or negative: once every order has ended, nothing is held, and what is
  // available is what was there minus what was shipped.
  for (const [sku, expected] of Object.entries(expectedStock)) {
    const { available, reserved } = snapshot.stock[sku] ?? { available: 0, reserved: 0 };
    if (available !== expected || reserved !== 0) {
      violations.add('stock', `${sku}: ${available} available and ${reserved} held, expected ${expected} and 0 (initial ${catalogue.initialStock[sku]} minus shipped)`);
    }
    if (available < 0 || reserved < 0) violations.add('negative stock', `${sku}: ${available} available, ${reserved} held`);
  }

  for (const outbox of snapshot.outboxes) {
    if (outbox.pending > 0) violations.add('unsent events', `${outbox.schema}: ${outbox.pending} outbox row(s) never published`);
    for (const repeated of outbox.repeated) violations.add('event written twice', `${outbox.schema}: ${repeated.type} about ${repeated.subject} ×${repeated.times}`);
  }
  for (const queue of snapshot.queues) {
    if (queue.waiting + queue.inFlight + queue.delayed > 0) violations.add('queue not empty', `${queue.name}: ${queue.waiting} waiting, ${queue.inFlight} in flight, ${queue.delayed} delayed`);
  }

  const repeatedDeadLetters = checkDeadLetters(snapshot.deadLetters, poisons, violations);
  return { violations: violations.list(), outcomes, neverPlaced, repeatedDeadLetters, refunded: new Set(snapshot.refunds.map((row) => row.orderId)).size };
}

/**
 * What an order of this kind must have ended as. When orders get a short payment deadline, any
 * order may also have been cancelled by it (PAYMENT_TIMEOUT); it must then show the effects of that.
 */
function expectedFor(
  plan: PlacedOrder,
  order: OrderRow,
  charged: readonly { status: string }[],
  held: readonly { status: string }[],
  paymentsMayTimeOut: boolean,
): ExpectedOutcome {
  if (!paymentsMayTimeOut || order.reason !== 'PAYMENT_TIMEOUT') return EXPECTED_OUTCOME[plan.kind];
  return timedOutOutcome(plan.kind, { reservation: held[0]?.status, payment: charged[0]?.status });
}

/** jsonb keeps its own key order: compare the values. */
function sameLines(a: OrderRow['lines'], b: OrderRow['lines']): boolean {
  const flat = (lines: OrderRow['lines']) => JSON.stringify(lines.map(({ sku, quantity, unitPrice }) => [sku, quantity, unitPrice]));
  return flat(a) === flat(b);
}

function checkInvoiceNumbers(snapshot: ShopSnapshot, violations: Violations): void {
  const bySeries = new Map<string, number[]>();
  for (const invoice of snapshot.invoices) {
    const match = /^INV-(\d{4})-(\d+)$/.exec(invoice.number);
    if (!match) {
      violations.add('invoice number', `${invoice.number} is malformed`);
      continue;
    }
    bySeries.set(match[1], [...(bySeries.get(match[1]) ?? []), Number(match[2])]);
  }
  for (const [series, numbers] of bySeries) {
    const sorted = [...numbers].sort((a, b) => a - b);
    const gapAt = sorted.findIndex((number, index) => number !== index + 1);
    if (gapAt >= 0) violations.add('invoice numbers not gap-free', `series ${series}: position ${gapAt + 1} holds ${sorted[gapAt]}`);
    const counter = snapshot.invoiceCounters.find((row) => row.series === series);
    if (counter?.lastNumber !== sorted.length) violations.add('invoice counter', `series ${series}: counter at ${counter?.lastNumber}, ${sorted.length} invoices`);
  }
}

function checkDeadLetters(deadLetters: readonly DeadLetterRow[], poisons: readonly Poison[], violations: Violations): number {
  const unclaimed = [...deadLetters];
  let repeated = 0;
  for (const sent of poisons) {
    const matches = unclaimed.filter((letter) => letter.service === sent.service && letter.body.includes(sent.marker));
    if (matches.length === 0) violations.add('poison never dead-lettered', `${sent.marker} (${sent.code}) to ${sent.service}`);
    for (const match of matches.filter((letter) => letter.code !== sent.code || !letter.reason)) {
      violations.add('poison dead-lettered with the wrong code', `${sent.marker}: ${match.code} (${match.reason ?? 'no reason'}), expected ${sent.code}`);
    }
    repeated += Math.max(0, matches.length - 1);
    for (const match of matches) unclaimed.splice(unclaimed.indexOf(match), 1);
  }
  for (const letter of unclaimed) violations.add('unexpected dead letter', `${letter.service}: ${letter.code} ${letter.reason?.slice(0, 200)} — ${letter.body.slice(0, 200)}`);
  return repeated;
}

/** Violations grouped by kind, the first few of each listed in full. */
class Violations {
  private readonly byKind = new Map<string, string[]>();

  add(kind: string, detail: string): void {
    this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), detail]);
  }

  list(): string[] {
    return [...this.byKind].flatMap(([kind, details]) => [
      ...details.slice(0, MAX_LISTED).map((detail) => `${kind}: ${detail}`),
      ...(details.length > MAX_LISTED ? [`${kind}: … and ${details.length - MAX_LISTED} more`] : []),
    ]);
  }
}
