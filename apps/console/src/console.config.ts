import { loadServiceConfig, messagingEnvSchema, portFromEnv } from '@app/messaging';
import { z } from 'zod';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const token = z.string().min(16, 'must be at least 16 characters');

/** `orders=http://orders:3001,payments=http://payments:3003`: where each service's admin API answers. */
const serviceUrls = z
  .string()
  .transform((value, ctx) => {
    const urls: Record<string, string> = {};
    for (const pair of value.split(',').map((part) => part.trim()).filter(Boolean)) {
      const [name, url] = pair.split('=');
      if (!name || !url || !URL.canParse(url)) {
        ctx.addIssue({ code: 'custom', message: `expected name=url pairs separated by commas, got "${pair}"` });
        return z.NEVER;
      }
      urls[name] = url.replace(/\/$/, '');
    }
    return urls;
  })
  .optional();

const consoleEnvSchema = z.object({
  PORT: portFromEnv(3000),
  /** The operator's token: it logs an operator in, and the console presents it to every service's admin API. */
  OPS_TOKEN: token,
  /** Logs in a reader: every page, no action. */
  OPS_READONLY_TOKEN: optional(token),
  /** Signs the session cookie; derived from OPS_TOKEN when unset, so rotating the token ends every session. */
  CONSOLE_SESSION_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  /** Send the session cookie over HTTPS only (set behind TLS). */
  CONSOLE_SECURE_COOKIE: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  CONSOLE_SERVICE_URLS: optional(serviceUrls),
  /** Most dead letters sent back per second by one retry. */
  CONSOLE_RETRY_RATE: z.coerce.number().int().min(1).max(1000).default(20),
  /** How long a service's admin API may take before its row shows it as down. */
  CONSOLE_ADMIN_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
});

export const loadConsoleConfig = (env: NodeJS.ProcessEnv) => {
  const { messaging, service } = loadServiceConfig(messagingEnvSchema, consoleEnvSchema, env);
  return {
    messaging,
    port: service.PORT,
    operatorToken: service.OPS_TOKEN,
    readerToken: service.OPS_READONLY_TOKEN,
    sessionSecret: service.CONSOLE_SESSION_SECRET,
    secureCookie: service.CONSOLE_SECURE_COOKIE,
    serviceUrls: service.CONSOLE_SERVICE_URLS ?? {},
    retryRatePerSecond: service.CONSOLE_RETRY_RATE,
    adminTimeoutMs: service.CONSOLE_ADMIN_TIMEOUT_MS,
  };
};

export type ConsoleConfig = ReturnType<typeof loadConsoleConfig>;
export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');
