import { ConfigurationError, loadConfig, messagingEnvSchema } from '@app/messaging';
import { isolatedEnvironment } from '@app/messaging/testing';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLocalStackEndpoints } from '../tools/local-stack/local-stack-endpoints';
import { createProgram } from '../tools/ops/main';
import { opsEnvironment } from '../tools/ops/ops-environment';
import { provision } from '../tools/provision/provision';

/**
 * Regression: beside a running `npm start`, `npm run ops -- dlq list` (as the README says) stopped
 * with `AWS_ACCOUNT_ID: required when AWS_ENDPOINT_URL is not set`. The CLI must find the local
 * stack with nothing exported, and still never guess its way onto real AWS.
 *
 * The local stack here is the spec's isolated world on the shared Postgres and emulator, announced
 * with the same writer `npm start` uses.
 */
describe('the ops CLI beside the local stack', () => {
  const directory = mkdtempSync(join(tmpdir(), 'shop-ops-local-'));
  const localStackFile = join(directory, 'local-stack.json');
  let stack: NodeJS.ProcessEnv;

  beforeAll(async () => {
    stack = await isolatedEnvironment();
    await provision(loadConfig(messagingEnvSchema, stack));
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  async function ops(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ out: string; error?: unknown }> {
    let out = '';
    const program = createProgram({ env, localStackFile, out: (chunk) => (out += chunk), err: (chunk) => (out += chunk), exitOverride: true });
    try {
      await program.parseAsync(args, { from: 'user' });
      return { out };
    } catch (error) {
      return { out, error };
    }
  }

  it('regression: `dlq list` with no variables set reaches the running local stack', async () => {
    writeLocalStackEndpoints(localStackFile, stack);
    const { out, error } = await ops({}, 'dlq', 'list');
    expect(error).toBeUndefined();
    expect(out).toContain(`${stack.TOPOLOGY_PREFIX}-payments-dlq`);
  });

  it('with no local stack and no variables, stops with an error that says what to set', async () => {
    rmSync(localStackFile, { force: true });
    const { error } = await ops({}, 'dlq', 'list');
    expect(error).toBeInstanceOf(ConfigurationError);
    for (const hint of ['npm start', 'AWS_ENDPOINT_URL', 'AWS_ACCOUNT_ID', 'DATABASE_URL']) expect((error as Error).message).toContain(hint);
  });

  it('does not follow a file left behind by a local stack that is no longer running', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeLocalStackEndpoints(localStackFile, stack, gone);
    const { error } = await ops({}, 'dlq', 'list');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(`(process ${gone}) is no longer running`);
  });

  it('never swaps a deployment named by the environment for the local stack', () => {
    writeLocalStackEndpoints(localStackFile, stack);
    const realAws = { AWS_ACCOUNT_ID: '111122223333', AWS_REGION: 'eu-west-1', DATABASE_URL: 'postgres://ops@db.example.invalid/shop' };
    expect(loadConfig(messagingEnvSchema, opsEnvironment(realAws, localStackFile)).aws).toMatchObject({ region: 'eu-west-1', endpoint: undefined, accountId: '111122223333' });
    const emulator = { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' };
    expect(opsEnvironment(emulator, localStackFile)).toBe(emulator);
  });

  it('lets an explicit variable override one value of the local stack', () => {
    writeLocalStackEndpoints(localStackFile, stack);
    const config = loadConfig(messagingEnvSchema, opsEnvironment({ TOPOLOGY_PREFIX: 'other' }, localStackFile));
    expect(config.topologyPrefix).toBe('other');
    expect(config.aws.endpoint).toBe(stack.AWS_ENDPOINT_URL);
  });
});
