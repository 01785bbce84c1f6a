import { BadRequestException } from '@nestjs/common';
import { canonicalJson, parseIdempotencyKey, requestFingerprint } from './idempotency';

describe('idempotency keys', () => {
  it('accepts a UUID and refuses blanks, spaces and over-long keys', () => {
    expect(parseIdempotencyKey('7f0c6c1e-8a57-4c1e-9d3a-1f2b3c4d5e6f')).toBe('7f0c6c1e-8a57-4c1e-9d3a-1f2b3c4d5e6f');
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    for (const bad of ['', 'has space', 'x'.repeat(256), 'ключ']) {
      expect(() => parseIdempotencyKey(bad)).toThrow(BadRequestException);
    }
  });

  it('fingerprints a body the same whatever its key order', () => {
    const a = { customerId: 'c', items: [{ sku: 'S', quantity: 1 }], currency: 'EUR' };
    const b = { currency: 'EUR', items: [{ quantity: 1, sku: 'S' }], customerId: 'c' };
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
  });

  it('tells bodies apart that differ in a value or in line order', () => {
    const base = { customerId: 'c', items: [{ sku: 'S', quantity: 1 }, { sku: 'T', quantity: 1 }] };
    expect(requestFingerprint(base)).not.toBe(requestFingerprint({ ...base, customerId: 'd' }));
    expect(requestFingerprint(base)).not.toBe(requestFingerprint({ ...base, items: [...base.items].reverse() }));
  });

  it('writes canonical JSON with sorted keys and no undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined })).toBe('{"a":[true,null,"x"],"b":1}');
  });
});
