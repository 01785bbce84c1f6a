import { loadConfig, messagingEnvSchema } from '@app/messaging';
import { isolatedEnvironment } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { createBillingApp } from '../../apps/billing/src/app';
import { createInventoryApp } from '../../apps/inventory/src/app';
import { createNotificationsApp } from '../../apps/notifications/src/app';
import { createOrdersApp } from '../../apps/orders/src/app';
import { createPaymentsApp } from '../../apps/payments/src/app';
import { createShippingApp } from '../../apps/shipping/src/app';
import { provision } from '../../tools/provision/provision';

type AppFactory = (env: NodeJS.ProcessEnv) => Promise<{ app: INestApplication; port: number }>;

export const shopServices = {
  orders: createOrdersApp,
  inventory: createInventoryApp,
  payments: createPaymentsApp,
  billing: createBillingApp,
  shipping: createShippingApp,
  notifications: createNotificationsApp,
} satisfies Record<string, AppFactory>;

export type ShopServiceName = keyof typeof shopServices;

export const allShopServices = Object.keys(shopServices) as ShopServiceName[];

export interface RunningShop {
  env: NodeJS.ProcessEnv;
  apps: Partial<Record<ShopServiceName, INestApplication>>;
  /** The HTTP server of a service, for supertest. */
  http(service: ShopServiceName): ReturnType<INestApplication['getHttpServer']>;
  /** Takes one service down (an outage); its queue keeps filling while it is away. */
  stopService(service: ShopServiceName): Promise<void>;
  /** Brings a stopped service back on the same database and queue. */
  startService(service: ShopServiceName): Promise<void>;
  /**
   * Starts one more replica of a service on the same database and queue, stopped with the shop:
   * what takes the next message while the first replica is busy with a slow one.
   */
  addReplica(service: ShopServiceName): Promise<INestApplication>;
  /** The running replicas of a service: the first, then those added. */
  replicasOf(service: ShopServiceName): INestApplication[];
  stop(): Promise<void>;
}

/**
 * The shop's services, each a real Nest app in this process, on an isolated database and resource
 * prefix of the shared embedded stack, provisioned like `npm start` does.
 */
export async function startShop(names: readonly ShopServiceName[], overrides: NodeJS.ProcessEnv = {}): Promise<RunningShop> {
  // Six apps per spec share one Postgres: small pools keep a parallel run under its connection limit.
  const env = await isolatedEnvironment({ DB_POOL_SIZE: '4', ...overrides });
  await provision(loadConfig(messagingEnvSchema, env));
  const apps: Partial<Record<ShopServiceName, INestApplication>> = {};
  const startService = async (name: ShopServiceName) => {
    const { app } = await shopServices[name](env);
    await app.init();
    apps[name] = app;
  };
  await Promise.all(names.map(startService));
  const replicas: { name: ShopServiceName; app: INestApplication }[] = [];
  return {
    env,
    apps,
    http: (service) => {
      const app = apps[service];
      if (!app) throw new Error(`${service} is not running in this test`);
      return app.getHttpServer();
    },
    stopService: async (service) => {
      const app = apps[service];
      delete apps[service];
      await app?.close();
    },
    startService,
    addReplica: async (name) => {
      const { app } = await shopServices[name](env);
      await app.init();
      replicas.push({ name, app });
      return app;
    },
    replicasOf: (name) => [...(apps[name] ? [apps[name]] : []), ...replicas.filter((replica) => replica.name === name).map((replica) => replica.app)],
    stop: async () => {
      await Promise.all([...Object.values(apps), ...replicas.map((replica) => replica.app)].map((app) => app.close()));
    },
  };
}
