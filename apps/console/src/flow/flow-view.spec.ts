import type { Flow, FlowEvent } from './flow-builder';
import { flowDiagram } from './flow-diagram';
import { flowTable } from './flow-table';

const published = new Date('2026-01-01T10:00:00.000Z');
const event: FlowEvent = {
  eventId: 'e-1',
  type: 'shop.order.placed.v1',
  producer: 'orders',
  subject: 'order-1',
  correlationId: 'corr-1',
  createdAt: new Date(published.getTime() - 5),
  publishedAt: published,
  attempts: 1,
  consumers: [
    { service: 'inventory', handledAt: new Date(published.getTime() + 40), handling: { attempts: 1, tries: 1, durationMs: 3.25 } },
    { service: 'payments', handledAt: new Date(published.getTime() + 2400), handling: { attempts: 2, tries: 1, durationMs: 117.4 } },
    // Handled by a service that did not record how (rows from before the columns).
    { service: 'notifications', handledAt: new Date(published.getTime() + 60), handling: { attempts: 1, tries: 1, durationMs: null } },
    { service: 'billing' },
  ],
};
const flow: Flow = { query: 'order-1', correlationIds: ['corr-1'], events: [event], unreachable: [] };

const consumerCell = (markup: string, service: string) => new RegExp(`<div data-consumer="${service}">[\\s\\S]*?</div>`).exec(markup)?.[0] ?? '';

describe('the flow view', () => {
  it('shows each handler duration in the table, and marks a handling that needed a retry', () => {
    const table = flowTable([event]).text;
    expect(consumerCell(table, 'inventory')).toContain('ran 3.3 ms');
    expect(consumerCell(table, 'inventory')).not.toContain('retried');
    expect(consumerCell(table, 'payments')).toContain('ran 117 ms');
    expect(consumerCell(table, 'payments')).toMatch(/class="warn retried">· retried: delivery 2, try 1/);
    expect(consumerCell(table, 'notifications')).not.toContain('ran ');
    expect(consumerCell(table, 'billing')).toContain('waiting');
  });

  it('writes the duration under each handled arrow of the diagram, with the retry mark', () => {
    const svg = flowDiagram(flow, ['orders', 'inventory', 'payments', 'billing', 'notifications']).text;
    expect(svg).toMatch(/class="handling" data-consumer="inventory" fill="#667085">3.3 ms</);
    expect(svg).toMatch(/class="handling" data-consumer="payments" fill="#b54708" font-weight="600">117 ms ↻ 2\/1</);
    expect(svg).not.toContain('data-consumer="billing"');
    expect(svg).not.toContain('data-consumer="notifications"');
  });
});
