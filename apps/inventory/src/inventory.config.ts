import { loadServiceConfig, messagingEnvSchema, portFromEnv } from '@app/messaging';
import { z } from 'zod';

const inventoryEnvSchema = z.object({
  PORT: portFromEnv(3002),
  /** How long stock stays held for an order that is not paid. */
  RESERVATION_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  /**
   * How long past its deadline a hold is kept before it is swept. Payments starts no charge after
   * the deadline; this leaves a charge that started just before it the time to report back, so the
   * sweep does not release stock that is being paid for.
   */
  RESERVATION_EXPIRY_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(60),
  /** How often expired reservations are looked for (once per interval across all replicas). */
  RESERVATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(30_000),
});

export const loadInventoryConfig = (env: NodeJS.ProcessEnv) => {
  const { messaging, service } = loadServiceConfig(messagingEnvSchema, inventoryEnvSchema, env);
  return {
    messaging,
    port: service.PORT,
    reservationTtlSeconds: service.RESERVATION_TTL_SECONDS,
    expiryGraceSeconds: service.RESERVATION_EXPIRY_GRACE_SECONDS,
    sweepIntervalMs: service.RESERVATION_SWEEP_INTERVAL_MS,
  };
};

export type InventoryConfig = ReturnType<typeof loadInventoryConfig>;
export const INVENTORY_CONFIG = Symbol('INVENTORY_CONFIG');
