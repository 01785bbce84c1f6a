import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The options the bench passes a baseline consumer in BENCH_CONSUMER (JSON), and an SQS client for
 * the emulator with the SDK's defaults, as the baseline's own users would make it (the library's
 * clients are tuned; the baselines' are not).
 */
export function baselineConsumerEnvironment<Options>(): { options: Options; sqs: SQSClient } {
  const options = JSON.parse(process.env.BENCH_CONSUMER ?? '') as Options;
  if (!process.env.AWS_ENDPOINT_URL) throw new Error('AWS_ENDPOINT_URL must point at the emulator');
  const sqs = new SQSClient({
    region: process.env.AWS_REGION,
    endpoint: process.env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '' },
  });
  return { options, sqs };
}
