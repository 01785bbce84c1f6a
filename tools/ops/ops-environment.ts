import { ConfigurationError } from '@app/messaging';
import { isRunning, LOCAL_STACK_FILE, readLocalStackEndpoints } from '../local-stack/local-stack-endpoints';

/**
 * The environment the CLI reads its configuration from. A deployment named by the environment
 * always wins: AWS_ENDPOINT_URL (an emulator) or AWS_ACCOUNT_ID (real AWS). With neither, it is the
 * local stack that `npm start` is running, from the endpoints it wrote (explicit variables still
 * override single values). With no local stack either, it stops with an error saying what to set:
 * it never guesses its way onto real AWS.
 */
export function opsEnvironment(env: NodeJS.ProcessEnv, localStackFile: string = LOCAL_STACK_FILE): NodeJS.ProcessEnv {
  if (env.AWS_ENDPOINT_URL || env.AWS_ACCOUNT_ID) return env;
  const ways =
    'set AWS_ENDPOINT_URL to reach an emulator (e.g. http://127.0.0.1:4566), or AWS_ACCOUNT_ID (with AWS_REGION and credentials) to reach real AWS, ' +
    'together with DATABASE_URL or PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE';
  const local = readLocalStackEndpoints(localStackFile);
  if (!local) throw new ConfigurationError(`No deployment to operate on: start the local stack with \`npm start\` (the CLI finds it), or ${ways}.`);
  if (!isRunning(local.pid)) {
    throw new ConfigurationError(`The local stack that wrote ${localStackFile} (process ${local.pid}) is no longer running: start it with \`npm start\`, or ${ways}.`);
  }
  return { ...local.env, ...env };
}
