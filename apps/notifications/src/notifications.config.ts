import { loadServiceConfig, messagingEnvSchema, portFromEnv } from '@app/messaging';
import { z } from 'zod';

const notificationsEnvSchema = z.object({ PORT: portFromEnv(3006) });

export const loadNotificationsConfig = (env: NodeJS.ProcessEnv) => {
  const { messaging, service } = loadServiceConfig(messagingEnvSchema, notificationsEnvSchema, env);
  return { messaging, port: service.PORT };
};

export type NotificationsConfig = ReturnType<typeof loadNotificationsConfig>;
