import { defineEvent } from '@app/messaging';
import { z } from 'zod';
import { jsonSchemaOf } from '../../apps/console/src/catalog/event-catalog';
import { incompatibilities, incompatibleContractMessage } from './compatibility';
import { checkContracts } from './published-schemas';

const line = z.object({ sku: z.string(), quantity: z.number().int() });
const v1 = z.object({ orderId: z.string(), status: z.enum(['PLACED', 'SHIPPED']), lines: z.array(line), note: z.string().optional() });
const problemsOf = (next: z.ZodType) => incompatibilities(jsonSchemaOf(v1), jsonSchemaOf(next));

describe('contract compatibility', () => {
  it('finds no problem in the published contracts, and a published schema for each', () => {
    const checks = checkContracts();
    const unrecorded = checks.filter((check) => !check.published).map((check) => check.type);
    // A new contract: `npm run contracts:record` writes its schema under tools/contracts/published.
    expect(unrecorded).toEqual([]);
    const broken = checks.filter((check) => check.problems.length > 0);
    if (broken.length > 0) throw new Error(broken.map((check) => incompatibleContractMessage(check.type, check.problems)).join('\n\n'));
  });

  it('accepts an added optional field', () => {
    expect(problemsOf(v1.extend({ channel: z.string().optional() }))).toEqual([]);
  });

  it('names a removed, a retyped, a new required and a newly required field, nested ones by path', () => {
    expect(problemsOf(v1.omit({ orderId: true }))).toEqual(['orderId: removed']);
    expect(problemsOf(v1.extend({ orderId: z.number() }))).toEqual(['orderId: retyped from string to number']);
    expect(problemsOf(v1.extend({ customerId: z.string() }))).toEqual(['customerId: new required field']);
    expect(problemsOf(v1.extend({ note: z.string() }))).toEqual(['note: made required']);
    expect(problemsOf(v1.extend({ lines: z.array(line.extend({ quantity: z.string() })) }))).toEqual(['lines[].quantity: retyped from integer to string']);
    expect(problemsOf(v1.extend({ status: z.enum(['PLACED', 'SHIPPED', 'LOST']) }))).toEqual(['status: new value "LOST" that consumers of the published version reject']);
  });

  it('fails with a message naming the contract, why, and how to publish a new version instead', () => {
    const Placed = defineEvent({ type: 'shop.order.placed.v1', topic: 'orders', schema: v1 });
    const message = incompatibleContractMessage(Placed.type, problemsOf(v1.omit({ lines: true })));
    expect(message).toContain('Contract shop.order.placed.v1 changed incompatibly');
    expect(message).toContain('lines: removed');
    expect(message).toContain('add a contract of type shop.order.placed.v2 beside it');
  });
});
