import {
  applyTopology,
  createServiceApp,
  createSnsClient,
  createSqsClient,
  loadConfig,
  messagingEnvSchema,
  planTopology,
  type MessagingConfig,
  type ServiceTopology,
} from '@app/messaging';
import { isolatedEnvironment } from '@app/messaging/testing';
import type { DynamicModule, INestApplication } from '@nestjs/common';

export interface TestServiceWorld {
  env: NodeJS.ProcessEnv;
  config: MessagingConfig;
  /** Starts one more replica of the service on the same database and queue. */
  startReplica(overrides?: NodeJS.ProcessEnv): Promise<INestApplication>;
  stop(): Promise<void>;
}

/** An isolated database and provisioned topology for one test service, replicas started on demand. */
export async function testServiceWorld(
  topology: ServiceTopology,
  moduleFor: (config: MessagingConfig) => DynamicModule,
  overrides: NodeJS.ProcessEnv = {},
): Promise<TestServiceWorld> {
  const env = await isolatedEnvironment({ RETRY_BASE_SECONDS: '1', RETRY_MAX_SECONDS: '1', MAX_RECEIVE_COUNT: '3', OUTBOX_POLL_MS: '200', ...overrides });
  const config = loadConfig(messagingEnvSchema, env);
  const sns = createSnsClient(config.aws);
  const sqs = createSqsClient(config.aws);
  await applyTopology(planTopology([topology], { prefix: config.topologyPrefix, maxReceiveCount: config.consumer.maxReceiveCount }), { sns, sqs }, {
    aws: config.aws,
    prefix: config.topologyPrefix,
    maxReceiveCount: config.consumer.maxReceiveCount,
    visibilityTimeoutSeconds: config.consumer.visibilityTimeoutSeconds,
  });
  const apps: INestApplication[] = [];
  return {
    env,
    config,
    startReplica: async (replicaOverrides = {}) => {
      const app = await createServiceApp(moduleFor(loadConfig(messagingEnvSchema, { ...env, ...replicaOverrides })), { title: topology.service });
      await app.init();
      apps.push(app);
      return app;
    },
    stop: async () => {
      await Promise.all(apps.map((app) => app.close()));
      sns.destroy();
      sqs.destroy();
    },
  };
}
