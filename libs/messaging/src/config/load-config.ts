import { z } from 'zod';

/**
 * Reads an app's configuration once, from the environment, through a zod schema. A bad value stops
 * start-up with a message that names every offending variable, instead of failing later and far away.
 */
export function loadConfig<TSchema extends z.ZodType>(schema: TSchema, env: NodeJS.ProcessEnv = process.env): z.output<TSchema> {
  const result = schema.safeParse(env);
  if (!result.success) throw configurationError(result.error.issues);
  return result.data;
}

function configurationError(issues: readonly z.core.$ZodIssue[]): ConfigurationError {
  const problems = issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return new ConfigurationError(`Invalid configuration:\n${problems.join('\n')}`);
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Environment flags: only the words people write, not every truthy string. */
export const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * A service's configuration: the messaging settings every service shares plus its own, validated
 * together so one start-up error lists every bad variable.
 */
export function loadServiceConfig<TMessaging extends z.ZodType, TOwn extends z.ZodType>(
  messagingSchema: TMessaging,
  ownSchema: TOwn,
  env: NodeJS.ProcessEnv = process.env,
): { messaging: z.output<TMessaging>; service: z.output<TOwn> } {
  const messaging = messagingSchema.safeParse(env);
  const own = ownSchema.safeParse(env);
  const issues = [...(messaging.success ? [] : messaging.error.issues), ...(own.success ? [] : own.error.issues)];
  if (!messaging.success || !own.success) throw configurationError(issues);
  return { messaging: messaging.data, service: own.data };
}

export const portFromEnv = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
