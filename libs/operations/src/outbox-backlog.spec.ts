import { OpsError } from './operations-context';
import { releaseSelection } from './outbox-backlog';

describe('releaseSelection', () => {
  it('reads a number as an outbox row id and a UUID as an event id', () => {
    expect(releaseSelection('123', undefined)).toEqual({ id: '123' });
    expect(releaseSelection('0b5e3f0e-8f5a-4e57-9a3c-3e4b0f1d2c3a', undefined)).toEqual({ eventId: '0b5e3f0e-8f5a-4e57-9a3c-3e4b0f1d2c3a' });
    expect(releaseSelection(undefined, true)).toEqual({ all: true });
  });

  it('refuses anything else, saying what it expected', () => {
    expect(() => releaseSelection('order-1', undefined)).toThrow(OpsError);
    expect(() => releaseSelection('order-1', undefined)).toThrow(/row id \(a number\) nor an event id \(a UUID\)/);
  });
});
