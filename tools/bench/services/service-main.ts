import 'reflect-metadata';
import type { SNSClient } from '@aws-sdk/client-sns';
import { OrderPlaced } from '@app/contracts';
import { createSnsClient, loadConfig, messagingEnvSchema, OutboxRelay, topicArn, TopologyNames } from '@app/messaging';
import type { INestApplication } from '@nestjs/common';
import { monotonicMs, serveCommands, type CommandHandlers } from '../infrastructure/ipc-protocol';
import { orderPlacedEvents, publishBatches } from '../workload/order-events';
import { createOrderSinkApp, HandledOrders } from './order-sink';
import { createOrdersVariant, type PlaceOrderVariant } from './orders-variants';

/**
 * A service under test, as its own process: `BENCH_SERVICE=orders` (with BENCH_PLACE_ORDER =
 * outbox | direct | none) or `BENCH_SERVICE=sink`. It listens on PORT and takes commands from the bench.
 */
async function main(): Promise<void> {
  const service = process.env.BENCH_SERVICE;
  let app: INestApplication;
  let port: number;
  let handlers: CommandHandlers;
  if (service === 'orders') {
    ({ app, port } = await createOrdersVariant((process.env.BENCH_PLACE_ORDER ?? 'outbox') as PlaceOrderVariant, process.env));
    const relay = app.get(OutboxRelay);
    handlers = {
      'publish-direct': publishDirect,
      // Diagnostics (--diagnose): the service without its relay.
      'pause-relay': () => relay.beforeApplicationShutdown(),
    };
  } else if (service === 'sink') {
    ({ app, port } = await createOrderSinkApp(process.env));
    const handled = app.get(HandledOrders);
    handlers = {
      reset: () => {
        handled.records = [];
        handled.firstStartedAt = undefined;
      },
      handled: () => ({ records: handled.records, firstAt: handled.firstStartedAt }),
    };
  } else {
    throw new Error(`BENCH_SERVICE must be orders or sink, not ${service}`);
  }
  await app.listen(port, '127.0.0.1');
  serveCommands(handlers, () => app.close(), port);
}

/**
 * The relay's baseline, run inside the orders process so it shares the relay's runtime: the same
 * OrderPlaced payloads sent straight to SNS with PublishBatch. Bodies are built before the clock starts.
 */
let directSns: SNSClient | undefined;

async function publishDirect(args: { count: number; concurrency: number }): Promise<{ elapsedMs: number; sent: number }> {
  const config = loadConfig(messagingEnvSchema, process.env);
  // One client for the process, like the relay's, so its connections are warm after the first run.
  directSns ??= createSnsClient(config.aws);
  const bodies = orderPlacedEvents(args.count).map((event) => JSON.stringify(event));
  const topic = topicArn(config.aws, new TopologyNames(config.topologyPrefix).topic(OrderPlaced));
  const start = monotonicMs();
  const sent = await publishBatches(directSns, topic, bodies, args.concurrency);
  return { elapsedMs: monotonicMs() - start, sent };
}


main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
