import { loadConfig, messagingEnvSchema } from '@app/messaging';
import { isolatedEnvironment } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { createOrdersApp } from '../../apps/orders/src/app';
import { createPaymentsApp } from '../../apps/payments/src/app';
import { provision } from '../../tools/provision/provision';

type AppFactory = (env: NodeJS.ProcessEnv) => Promise<{ app: INestApplication; port: number }>;

export const shopServices = {
  orders: createOrdersApp,
  payments: createPaymentsApp,
} satisfies Record<string, AppFactory>;

export type ShopServiceName = keyof typeof shopServices;

export interface RunningShop {
  env: NodeJS.ProcessEnv;
  apps: Record<ShopServiceName, INestApplication>;
  /** The HTTP server of a service, for supertest. */
  http(service: ShopServiceName): ReturnType<INestApplication['getHttpServer']>;
  stop(): Promise<void>;
}

/**
 * The shop's services, each a real Nest app in this process, on an isolated database and resource
 * prefix of the shared embedded stack, provisioned like `npm start` does.
 */
export async function startShop(names: readonly ShopServiceName[], overrides: NodeJS.ProcessEnv = {}): Promise<RunningShop> {
  const env = await isolatedEnvironment(overrides);
  await provision(loadConfig(messagingEnvSchema, env));
  const apps = {} as Record<ShopServiceName, INestApplication>;
  for (const name of names) {
    const { app } = await shopServices[name](env);
    await app.init();
    apps[name] = app;
  }
  return {
    env,
    apps,
    http: (service) => {
      const app = apps[service];
      if (!app) throw new Error(`${service} is not running in this test`);
      return app.getHttpServer();
    },
    stop: async () => {
      await Promise.all(Object.values(apps).map((app) => app.close()));
    },
  };
}
