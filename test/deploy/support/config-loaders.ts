/**
 * Starts the configuration loader a container would run, with the environment a deployment
 * artefact gives that container, so a value the service itself refuses (a 15-character OPS_TOKEN,
 * a malformed DATABASE_URL) fails the checks instead of a `docker compose up` or a rollout.
 *
 * The loaders are found by convention, not listed: `apps/<app>/src/<app>.config.ts` exports one
 * `load…Config(env)`, so a service added to the artefacts is covered as soon as it has its loader.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError, loadConfig, messagingEnvSchema } from '@app/messaging';
import { REPO_ROOT, SECRET_PLACEHOLDERS } from './expectations';

export type ConfigLoader = (env: NodeJS.ProcessEnv) => unknown;

/** The tools a one-shot container runs (provisioning, migrations) read the shared messaging settings. */
const TOOL_ENTRY_POINT = /dist\/tools\/(provision|migrate)\/main\.js/;

/** The loader of one app: the single `load…Config` its `<app>.config.ts` exports. */
export function appConfigLoader(app: string): ConfigLoader {
  const file = join(REPO_ROOT, 'apps', app, 'src', `${app}.config.ts`);
  if (!existsSync(file)) throw new Error(`apps/${app}/src/${app}.config.ts does not exist: every service reads its configuration there`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the file is found at run time
  const exported = require(file) as Record<string, unknown>;
  const loaders = Object.entries(exported).filter(([name, value]) => /^load\w*Config$/.test(name) && typeof value === 'function');
  if (loaders.length !== 1) throw new Error(`apps/${app}/src/${app}.config.ts must export exactly one load…Config function, found ${loaders.length}`);
  return loaders[0][1] as ConfigLoader;
}

/**
 * What a container of `app`'s image runs at start-up: the app's own loader, or the shared messaging
 * loader when its command is a tool (the provision job runs a service image with another command).
 */
export function loaderFor(app: string, command: readonly string[] = []): ConfigLoader {
  if (TOOL_ENTRY_POINT.test(command.join(' '))) return (env) => loadConfig(messagingEnvSchema, env);
  return appConfigLoader(app);
}

/**
 * Runs the loader and returns what it refused, prefixed with the artefact, one line per variable
 * (`docker-compose.yml service orders: OPS_TOKEN: must be at least 16 characters`); empty when it
 * starts.
 */
export function configurationProblems(artefact: string, loader: ConfigLoader, env: NodeJS.ProcessEnv): string[] {
  try {
    loader(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return error.message
      .split('\n')
      .slice(1)
      .map((line) => `${artefact}: ${line.trim()}`);
  }
}

/**
 * A secret that comes from a secret store at deploy time has no value in the artefact: stand in the
 * documented placeholder of the shape the service accepts. A secret without one fails, so a new
 * secret gets a placeholder here before it can slip past the loader.
 */
export function secretPlaceholder(artefact: string, variable: string): string {
  const placeholder = (SECRET_PLACEHOLDERS as Record<string, string | undefined>)[variable];
  if (placeholder === undefined) throw new Error(`${artefact}: ${variable} comes from a secret store and has no placeholder in SECRET_PLACEHOLDERS`);
  return placeholder;
}

/**
 * Compose's variable interpolation as `docker compose up` does it in a shell that sets none of the
 * variables: `${NAME:-default}` and `${NAME-default}` give the default, `${NAME:+other}` nothing,
 * `${NAME}` and `$NAME` an empty string (compose warns), `$$` a dollar sign; `${NAME:?message}`
 * stops compose, so it throws, naming the variable.
 */
export function interpolateUnset(value: string, where = 'docker-compose.yml'): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name: string | undefined, operator: string | undefined, operand: string | undefined) => {
      if (match === '$$') return '$';
      if (operator?.endsWith('?')) throw new Error(`${where}: compose will not start without ${name} (${operand || 'required'})`);
      return operator?.endsWith('-') ? (operand ?? '') : '';
    },
  );
}
