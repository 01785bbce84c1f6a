import { looksLikeConnectionFailure } from './database-outage';

describe('connection failure recognition', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '08006', message: 'connection failure' }],
    [new Error('Connection terminated unexpectedly')],
    [new Error('wrapped', { cause: { code: 'ECONNRESET' } })],
    [Object.assign(new Error('Query failed'), { driverError: { code: '57P01', message: 'terminating connection' } })],
  ])('treats %j as a possible outage', (error) => {
    expect(looksLikeConnectionFailure(error)).toBe(true);
  });

  it.each([[{ code: '23505', message: 'duplicate key' }], [new Error('handler bug')], [undefined]])('treats %j as an ordinary failure', (error) => {
    expect(looksLikeConnectionFailure(error)).toBe(false);
  });
});
