import { loadServiceConfig, messagingEnvSchema, portFromEnv } from '@app/messaging';
import { z } from 'zod';

const paymentsEnvSchema = z.object({
  PORT: portFromEnv(3003),
  /** The simulated provider declines any charge above this many minor units. */
  PAYMENT_DECLINE_ABOVE: z.coerce.number().int().nonnegative().default(100_000),
});

export const loadPaymentsConfig = (env: NodeJS.ProcessEnv) => {
  const { messaging, service } = loadServiceConfig(messagingEnvSchema, paymentsEnvSchema, env);
  return { messaging, port: service.PORT, declineAbove: service.PAYMENT_DECLINE_ABOVE };
};

export type PaymentsConfig = ReturnType<typeof loadPaymentsConfig>;
export const PAYMENTS_CONFIG = Symbol('PAYMENTS_CONFIG');
