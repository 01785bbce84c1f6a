import { loadServiceConfig, messagingEnvSchema, portFromEnv } from '@app/messaging';
import { z } from 'zod';

const billingEnvSchema = z.object({ PORT: portFromEnv(3004) });

export const loadBillingConfig = (env: NodeJS.ProcessEnv) => {
  const { messaging, service } = loadServiceConfig(messagingEnvSchema, billingEnvSchema, env);
  return { messaging, port: service.PORT };
};

export type BillingConfig = ReturnType<typeof loadBillingConfig>;
