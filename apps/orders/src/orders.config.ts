import { loadServiceConfig, messagingEnvSchema, portFromEnv } from '@app/messaging';
import { z } from 'zod';

const ordersEnvSchema = z.object({ PORT: portFromEnv(3001) });

export const loadOrdersConfig = (env: NodeJS.ProcessEnv) => {
  const { messaging, service } = loadServiceConfig(messagingEnvSchema, ordersEnvSchema, env);
  return { messaging, port: service.PORT };
};

export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;
