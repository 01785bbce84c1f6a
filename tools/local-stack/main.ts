import { loadConfig, messagingEnvSchema } from '@app/messaging';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import concurrently from 'concurrently';
import { provision } from '../provision/provision';
import { operationsConsole, services } from '../services';
import { seedDemoStock } from './demo-stock';
import { startInfrastructureProcess, stopProcess } from './infrastructure-process';
import { LOCAL_STACK_FILE, removeLocalStackEndpoints, writeLocalStackEndpoints } from './local-stack-endpoints';

const root = resolve(__dirname, '../../..');
const dataDir = join(root, '.data');
const endpointsFile = join(root, LOCAL_STACK_FILE);
const pgPort = Number(process.env.LOCAL_PG_PORT ?? 5432);
const emulatorPort = Number(process.env.LOCAL_EMULATOR_PORT ?? 4566);
/** Admin routes exist only with a token; locally the console logs in with this one unless OPS_TOKEN is set. */
const LOCAL_OPS_TOKEN = 'local-operator-token';

/**
 * `npm start`: the whole shop on this machine with nothing installed but npm packages. Real
 * PostgreSQL (data kept in .data/, wiped by `npm run reset`), the SNS/SQS emulator, provisioning,
 * then every service as its own process with its name on each log line. Ctrl-C or SIGTERM stops
 * the services first (they drain), then the emulator and the database.
 */
async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const infrastructure: ChildProcess[] = [];
  const stopInfrastructure = () => Promise.all(infrastructure.map(stopProcess));
  const env = stackEnv();
  try {
    log(`starting PostgreSQL on port ${pgPort} (data in .data/postgres)`);
    infrastructure.push(
      await startInfrastructureProcess(
        'postgres-process.js',
        { POSTGRES_DATA_DIR: join(dataDir, 'postgres'), POSTGRES_PORT: String(pgPort), POSTGRES_DATABASE: 'shop' },
        'PostgreSQL',
      ),
    );
    log(`starting the SNS/SQS emulator on port ${emulatorPort}`);
    infrastructure.push(
      // In memory: with a data directory, fauxqs 2.4 loses a received message whose visibility is
      // changed (a consumer's retry backoff, a DLQ being read and released). Queues are provisioned
      // again on every start; the outboxes in Postgres hold what was not yet published.
      await startInfrastructureProcess('emulator-process.js', { EMULATOR_PORT: String(emulatorPort) }, 'The emulator'),
    );
    log('provisioning topics, queues and subscriptions');
    await provision(loadConfig(messagingEnvSchema, env));
    // For the operator CLI: `npm run ops -- …` in another terminal finds this stack with nothing exported.
    writeLocalStackEndpoints(endpointsFile, env);
  } catch (error) {
    await stopInfrastructure();
    throw error;
  }

  const portOf = (name: string, fallback: number) => Number(process.env[`${name.toUpperCase()}_PORT`] ?? fallback);
  const serviceUrls = services.map((service) => `${service.name}=http://localhost:${portOf(service.name, service.defaultPort)}`).join(',');
  const { commands, result } = concurrently(
    [
      ...services.map((service) => ({
        name: service.name,
        command: `node ${service.main}`,
        env: { ...env, PORT: String(portOf(service.name, service.defaultPort)) },
        cwd: root,
      })),
      {
        name: operationsConsole.name,
        command: `node ${operationsConsole.main}`,
        env: { ...env, PORT: String(portOf(operationsConsole.name, operationsConsole.defaultPort)), CONSOLE_SERVICE_URLS: serviceUrls },
        cwd: root,
      },
    ],
    { prefix: '{name}', prefixColors: ['blue', 'green', 'magenta', 'cyan', 'yellow', 'red', 'white'], handleInput: false },
  );
  for (const service of services) {
    log(`${service.name.padEnd(14)} http://localhost:${portOf(service.name, service.defaultPort)}  (docs /docs, health /health/ready)`);
  }
  const consoleUrl = `http://localhost:${portOf(operationsConsole.name, operationsConsole.defaultPort)}`;
  log(`${'console'.padEnd(14)} ${consoleUrl}  (log in with the token ${env.OPS_TOKEN === LOCAL_OPS_TOKEN ? `"${LOCAL_OPS_TOKEN}"` : 'in OPS_TOKEN'})`);

  let shuttingDown = false;
  const shutdown = async (reason: string, exitCode: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${reason}: stopping services`);
    commands.forEach((command) => command.kill('SIGTERM'));
    await result.catch(() => undefined);
    log('stopping the emulator and PostgreSQL');
    removeLocalStackEndpoints(endpointsFile);
    await stopInfrastructure();
    log('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  seedDemoStock(`http://localhost:${portOf('inventory', 3002)}`, log).catch((error: unknown) => log(`demo stock: ${error instanceof Error ? error.message : String(error)}`));
  await result.catch(() => undefined);
  await shutdown('every service has exited', 1);
}

function stackEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PGHOST: '127.0.0.1',
    PGPORT: String(pgPort),
    PGUSER: 'postgres',
    PGPASSWORD: 'postgres',
    PGDATABASE: 'shop',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${emulatorPort}`,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // A shutdown waits for the consumer's long poll to return: keep it short locally, so Ctrl-C is quick.
    CONSUMER_WAIT_SECONDS: process.env.CONSUMER_WAIT_SECONDS ?? '2',
    OPS_TOKEN: process.env.OPS_TOKEN || LOCAL_OPS_TOKEN,
  };
}

function log(message: string): void {
  console.log(`[local-stack] ${message}`);
}

main().catch((error: unknown) => {
  console.error(`[local-stack] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
