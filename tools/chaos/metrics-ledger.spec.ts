import { MetricsLedger, parseCounters } from './metrics-ledger';

const page = (duplicates: number, deadLetters: number) =>
  [
    '# HELP messaging_messages_duplicate_total Redeliveries skipped by the inbox',
    '# TYPE messaging_messages_duplicate_total counter',
    `messaging_messages_duplicate_total{type="shop.order.placed.v1"} ${duplicates}`,
    'messaging_messages_duplicate_total{type="shop.payment.completed.v1"} 1',
    `messaging_messages_dead_lettered_total{type="unparsed",code="NOT_JSON"} ${deadLetters}`,
    'process_cpu_seconds_total 12.5',
  ].join('\n');

describe('the metrics ledger', () => {
  it('reads the messaging counters of a /metrics page, with their labels', () => {
    expect(parseCounters(page(3, 2))).toEqual([
      { name: 'messaging_messages_duplicate_total', labels: { type: 'shop.order.placed.v1' }, value: 3 },
      { name: 'messaging_messages_duplicate_total', labels: { type: 'shop.payment.completed.v1' }, value: 1 },
      { name: 'messaging_messages_dead_lettered_total', labels: { type: 'unparsed', code: 'NOT_JSON' }, value: 2 },
    ]);
  });

  it('keeps what a process counted once it is gone, and adds what the next one counts', () => {
    const ledger = new MetricsLedger();
    ledger.record('billing', parseCounters(page(3, 2)));
    ledger.record('billing', parseCounters(page(5, 2)));
    ledger.bank('billing');
    ledger.record('billing', parseCounters(page(2, 1)));
    ledger.record('orders', parseCounters(page(1, 0)));
    expect(ledger.total('duplicates', 'billing')).toBe(5 + 1 + 2 + 1);
    expect(ledger.total('duplicates')).toBe(9 + 2);
    expect(ledger.byLabel('deadLettered', 'code')).toEqual({ NOT_JSON: 3 });
  });

  it('banks nothing twice for a process that was never read again', () => {
    const ledger = new MetricsLedger();
    ledger.record('payments', parseCounters(page(4, 0)));
    ledger.bank('payments');
    ledger.bank('payments');
    expect(ledger.total('duplicates', 'payments')).toBe(5);
  });
});
