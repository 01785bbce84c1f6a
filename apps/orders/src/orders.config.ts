import { loadServiceConfig, messagingEnvSchema, portFromEnv } from '@app/messaging';
import { z } from 'zod';

const ordersEnvSchema = z.object({
  PORT: portFromEnv(3001),
  /** How long an Idempotency-Key is remembered: longer than any client keeps retrying. */
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce.number().int().positive().default(24),
  /** An order not paid this long after it was placed is cancelled (PAYMENT_TIMEOUT); stock is held until then. */
  ORDER_PAYMENT_TIMEOUT_SECONDS: z.coerce.number().int().positive().max(31_536_000).default(900),
});

export const loadOrdersConfig = (env: NodeJS.ProcessEnv) => {
  const { messaging, service } = loadServiceConfig(messagingEnvSchema, ordersEnvSchema, env);
  return {
    messaging,
    port: service.PORT,
    idempotencyKeyRetentionHours: service.IDEMPOTENCY_KEY_RETENTION_HOURS,
    paymentTimeoutSeconds: service.ORDER_PAYMENT_TIMEOUT_SECONDS,
  };
};

export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;
export const ORDERS_CONFIG = Symbol('ORDERS_CONFIG');
