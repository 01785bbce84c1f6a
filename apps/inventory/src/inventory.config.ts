import { loadServiceConfig, messagingEnvSchema, portFromEnv } from '@app/messaging';
import { z } from 'zod';

const inventoryEnvSchema = z.object({ PORT: portFromEnv(3002) });

export const loadInventoryConfig = (env: NodeJS.ProcessEnv) => {
  const { messaging, service } = loadServiceConfig(messagingEnvSchema, inventoryEnvSchema, env);
  return { messaging, port: service.PORT };
};

export type InventoryConfig = ReturnType<typeof loadInventoryConfig>;
