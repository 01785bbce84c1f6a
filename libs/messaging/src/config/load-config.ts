import { z } from 'zod';

/**
 * Reads an app's configuration once, from the environment, through a zod schema. A bad value stops
 * start-up with a message that names every offending variable, instead of failing later and far away.
 */
export function loadConfig<TSchema extends z.ZodType>(schema: TSchema, env: NodeJS.ProcessEnv = process.env): z.output<TSchema> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Environment flags: only the words people write, not every truthy string. */
export const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
