import { freePort } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createConsoleApp } from '../../apps/console/src/app';
import { services } from '../../tools/services';
import { startShop, type RunningShop, type ShopServiceName } from './shop';

export const OPERATOR_TOKEN = 'console-operator-token-for-tests';
export const READER_TOKEN = 'console-reader-token-for-tests!!';

export interface ConsoleStack {
  shop: RunningShop;
  console: INestApplication;
  /** The console's address, for a browser or fetch. */
  url: string;
  /** Each service's address: the console reaches them over HTTP, as it does in a deployment. */
  serviceUrls: Record<string, string>;
  /** Takes a service down: its admin API stops answering, its queue keeps filling. */
  stopService(name: ShopServiceName): Promise<void>;
  /** Brings it back on the same address. */
  startService(name: ShopServiceName): Promise<void>;
  stop(): Promise<void>;
}

const listeningUrl = async (app: INestApplication): Promise<string> => {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
};

/** The shop's services listening on free ports, and the console in front of them. */
export async function startConsoleStack(names: readonly ShopServiceName[], overrides: NodeJS.ProcessEnv = {}): Promise<ConsoleStack> {
  const shop = await startShop(names, { OPS_TOKEN: OPERATOR_TOKEN, ...overrides });
  const serviceUrls: Record<string, string> = {};
  for (const name of names) serviceUrls[name] = await listeningUrl(shop.apps[name] as INestApplication);
  // A service not started in this test points at a port nothing listens on: it shows as down.
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const urls = services.map((service) => `${service.name}=${serviceUrls[service.name] ?? nowhere}`).join(',');
  const { app } = await createConsoleApp({ ...shop.env, OPS_READONLY_TOKEN: READER_TOKEN, CONSOLE_SERVICE_URLS: urls, CONSOLE_ADMIN_TIMEOUT_MS: '2000' }, services);
  const url = await listeningUrl(app);
  return {
    shop,
    console: app,
    url,
    serviceUrls,
    stopService: (name) => shop.stopService(name),
    startService: async (name) => {
      await shop.startService(name);
      await (shop.apps[name] as INestApplication).listen(Number(new URL(serviceUrls[name]).port), '127.0.0.1');
    },
    stop: async () => {
      await app.close();
      await shop.stop();
    },
  };
}
