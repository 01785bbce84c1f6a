import type { AwsConfig } from '../config/messaging-config';
import { createSnsClient, createSqsClient } from './aws-clients';

const aws: AwsConfig = { region: 'eu-west-1', accountId: '000000000000', endpoint: 'http://127.0.0.1:4566', connectTimeoutMs: 1000, requestTimeoutMs: 5000 };

describe('AWS clients', () => {
  it.each([
    ['SNS', () => createSnsClient(aws)],
    ['SQS', () => createSqsClient(aws)],
  ])('regression: the %s client copies no request or response for an SDK log line it never writes', (_, create) => {
    const client = create();
    try {
      const steps = client.middlewareStack.identify();
      expect(steps.some((step) => step.startsWith('loggerMiddleware'))).toBe(false);
      // The rest of the stack is the SDK's own: signing and retries stay.
      expect(steps.some((step) => step.startsWith('httpSigningMiddleware'))).toBe(true);
      expect(steps.some((step) => step.startsWith('retryMiddleware'))).toBe(true);
    } finally {
      client.destroy();
    }
  });
});
