import { createCloudEvent, defineEvent, defineService } from '@app/messaging';
import { z } from 'zod';
import { checkEditedEvent } from './edited-event';

const Reserved = defineEvent({ type: 'test.stock.reserved.v1', topic: 'stock', schema: z.object({ orderId: z.string(), lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })) }) });
const payments = { name: 'payments', topology: defineService({ service: 'payments', publishes: [], consumes: [Reserved] }), database: { schema: 'payments' } };
const event = (data: unknown, type = Reserved.type) => JSON.stringify(createCloudEvent({ source: '/inventory', type, data, correlationId: 'c-1', subject: 'o-1' }));

describe('checkEditedEvent', () => {
  it('accepts an event the service consumes with a payload its contract accepts, compacted', () => {
    const text = JSON.stringify(JSON.parse(event({ orderId: 'o-1', lines: [{ sku: 'A', quantity: 1 }] })), null, 2);
    const check = checkEditedEvent(payments, text);
    expect(check).toMatchObject({ ok: true, event: { type: Reserved.type, data: { orderId: 'o-1' } } });
    expect(check.ok && check.body).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('names each problem: not JSON, not a CloudEvent, a type not consumed, a payload the schema refuses', () => {
    expect(checkEditedEvent(payments, '{"orderId":')).toMatchObject({ ok: false, problems: [expect.stringMatching(/^not JSON/)] });
    expect(checkEditedEvent(payments, '{"id":"x"}')).toMatchObject({ ok: false, problems: expect.arrayContaining([expect.stringMatching(/^specversion:/)]) });
    expect(checkEditedEvent(payments, event({}, 'test.stock.rejected.v1'))).toMatchObject({ ok: false, problems: [expect.stringContaining('does not consume test.stock.rejected.v1')] });
    expect(checkEditedEvent(payments, event({ orderId: 'o-1', lines: [{ sku: 'A', quantity: 0 }] }))).toMatchObject({ ok: false, problems: [expect.stringMatching(/^data\.lines\.0\.quantity:/)] });
  });
});
