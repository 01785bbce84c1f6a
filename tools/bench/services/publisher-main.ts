import type { SNSClient } from '@aws-sdk/client-sns';
import { OrderPlaced } from '@app/contracts';
import { createSnsClient, loadConfig, messagingEnvSchema, topicArn, TopologyNames } from '@app/messaging';
import { monotonicMs, serveCommands } from '../infrastructure/ipc-protocol';
import { orderPlacedEvents, publishBatches } from '../workload/order-events';

/**
 * The relay's baseline in a process of its own, as the relay has one: the same OrderPlaced payloads
 * sent straight to SNS with PublishBatch, through an SNS client made as the library makes the
 * relay's. Bodies are built before the clock starts; the memory they take is not the relay's.
 */
function main(): void {
  const config = loadConfig(messagingEnvSchema, process.env);
  // One client for the process, like the relay's, so its connections are warm after the first run.
  const sns: SNSClient = createSnsClient(config.aws);
  const topic = topicArn(config.aws, new TopologyNames(config.topologyPrefix).topic(OrderPlaced));
  serveCommands(
    {
      'publish-direct': async ({ count, concurrency }: { count: number; concurrency: number }) => {
        const bodies = orderPlacedEvents(count).map((event) => JSON.stringify(event));
        const start = monotonicMs();
        const sent = await publishBatches(sns, topic, bodies, concurrency);
        return { elapsedMs: monotonicMs() - start, sent };
      },
    },
    async () => sns.destroy(),
  );
}

main();
