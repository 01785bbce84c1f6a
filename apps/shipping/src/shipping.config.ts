import { loadServiceConfig, messagingEnvSchema, portFromEnv } from '@app/messaging';
import { z } from 'zod';

const shippingEnvSchema = z.object({
  PORT: portFromEnv(3005),
  /** The carrier named on every shipment (a stand-in: there is no carrier integration). */
  SHIPPING_CARRIER: z.string().min(1).default('SIMULATED-POST'),
});

export const loadShippingConfig = (env: NodeJS.ProcessEnv) => {
  const { messaging, service } = loadServiceConfig(messagingEnvSchema, shippingEnvSchema, env);
  return { messaging, port: service.PORT, carrier: service.SHIPPING_CARRIER };
};

export type ShippingConfig = ReturnType<typeof loadShippingConfig>;
export const SHIPPING_CONFIG = Symbol('SHIPPING_CONFIG');
