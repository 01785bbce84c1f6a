import { loadConfig } from './load-config';
import { messagingEnvSchema } from './messaging-config';

describe('messaging configuration', () => {
  it('defaults everything needed to run against the local emulator', () => {
    const config = loadConfig(messagingEnvSchema, { AWS_ENDPOINT_URL: 'http://localhost:4566' });
    expect(config.aws).toEqual({ region: 'us-east-1', endpoint: 'http://localhost:4566', accountId: '000000000000', connectTimeoutMs: 3000, requestTimeoutMs: 30_000 });
    expect(config.database.migrateOnStart).toBe(true);
    expect(config.consumer.retry).toEqual({ immediate: 2, baseSeconds: 10, factor: 3, maxSeconds: 900, jitter: 0.2 });
  });

  it('refuses an AWS request timeout a long poll cannot finish within', () => {
    expect(() => loadConfig(messagingEnvSchema, { AWS_ENDPOINT_URL: 'http://localhost:4566', CONSUMER_WAIT_SECONDS: '20', AWS_REQUEST_TIMEOUT_MS: '20000' })).toThrow(
      /AWS_REQUEST_TIMEOUT_MS: must exceed CONSUMER_WAIT_SECONDS/,
    );
  });

  it('names every bad variable in one error', () => {
    const load = () => loadConfig(messagingEnvSchema, { AWS_ENDPOINT_URL: 'http://localhost:4566', PGPORT: 'abc', DB_MIGRATE_ON_START: 'maybe' });
    expect(load).toThrow(/PGPORT/);
    expect(load).toThrow(/DB_MIGRATE_ON_START: expected true or false/);
  });

  it('asks for the account id on real AWS', () => {
    expect(() => loadConfig(messagingEnvSchema, {})).toThrow(/AWS_ACCOUNT_ID: required when AWS_ENDPOINT_URL is not set/);
  });

  it('rejects a DATABASE_URL that is not postgres', () => {
    expect(() => loadConfig(messagingEnvSchema, { AWS_ENDPOINT_URL: 'http://localhost:4566', DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL/);
  });
});
