import { isDatabaseUnreachable } from './database-outage';

describe('database outage detection', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '08006', message: 'connection failure' }],
    [new Error('Connection terminated unexpectedly')],
    [new Error('wrapped', { cause: { code: 'ECONNRESET' } })],
  ])('treats %j as the database being unreachable', (error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it.each([[{ code: '23505', message: 'duplicate key' }], [new Error('handler bug')], [undefined]])('treats %j as an ordinary failure', (error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
  });
});
