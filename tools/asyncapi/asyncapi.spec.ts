import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { services } from '../services';
import { ASYNCAPI_FILE, shopAsyncApi } from './asyncapi-export';

describe('AsyncAPI export', () => {
  const document = shopAsyncApi();

  it('is a valid AsyncAPI 3.0 document for the official parser', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    // Severity 0 is an error; hints and warnings (e.g. missing descriptions) do not make it invalid.
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 0)).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
  });

  it('has every published event with its producer, and every consumer as a receive operation', async () => {
    const { document: parsed } = await new Parser().parse(JSON.stringify(document));
    const operations = parsed?.operations().all() ?? [];
    for (const service of services) {
      for (const contract of service.topology.publishes) expect(operations.some((op) => op.id() === `${service.name}-sends-${contract.type}` && op.action() === 'send')).toBe(true);
      for (const contract of service.topology.consumes) expect(operations.some((op) => op.id() === `${service.name}-receives-${contract.type}` && op.action() === 'receive')).toBe(true);
    }
    const placed = parsed?.components().messages().all().find((message) => message.id() === 'shop.order.placed.v1');
    expect(placed?.payload()?.properties()?.data?.required()).toEqual(expect.arrayContaining(['orderId']));
  });

  it('is committed as npm run asyncapi writes it', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../..', ASYNCAPI_FILE), 'utf8'));
    // Run `npm run asyncapi` after changing a contract or a topology.
    expect(committed).toEqual(document);
  });
});
