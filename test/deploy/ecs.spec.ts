import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { DockerfileParser } from 'dockerfile-ast';
import { ECS_CONSOLE, ECS_SERVICES, PLACEHOLDERS, renderTaskDefinitions } from '../../docker/ecs/generate';
import { execFormOf, stagesOf } from './support/dockerfile-lint';
import {
  EMULATOR_ONLY_ENV,
  LIVENESS_ROUTE,
  REPO_ROOT,
  SECRET_ENV,
  SERVICES,
  APPS,
  CONSOLE,
  SHUTDOWN_DRAIN_MS,
  TOPOLOGY_PREFIX,
  requiredEnv,
  urlOfHealthCommand,
} from './support/expectations';

const ECS_DIR = join(REPO_ROOT, 'docker/ecs');

/** Fargate's valid task sizes: CPU units -> allowed memory (MiB). */
const FARGATE_SIZES: Record<string, (memory: number) => boolean> = {
  '256': (m) => [512, 1024, 2048].includes(m),
  '512': (m) => m >= 1024 && m <= 4096 && m % 1024 === 0,
  '1024': (m) => m >= 2048 && m <= 8192 && m % 1024 === 0,
  '2048': (m) => m >= 4096 && m <= 16384 && m % 1024 === 0,
  '4096': (m) => m >= 8192 && m <= 30720 && m % 1024 === 0,
};

const dockerfileHealthcheck = (() => {
  const stages = stagesOf(DockerfileParser.parse(readFileSync(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8')));
  const healthcheck = stages[stages.length - 1].instructions.find((instruction) => instruction.getKeyword() === 'HEALTHCHECK');
  return healthcheck ? execFormOf(healthcheck) : undefined;
})();

const read = (file: string) => JSON.parse(readFileSync(join(ECS_DIR, file), 'utf8')) as RegisterTaskDefinitionCommandInput;

describe('docker/ecs task definitions', () => {
  it('are exactly what docker/ecs/generate.ts produces (run `npx node docker/ecs/generate.ts` after editing it)', () => {
    const expected = renderTaskDefinitions();
    const committed = readdirSync(ECS_DIR).filter((file) => file.endsWith('.json')).sort();
    expect(committed).toEqual([...expected.keys()].sort());
    for (const [file, content] of expected) {
      expect({ file, content: readFileSync(join(ECS_DIR, file), 'utf8') }).toEqual({ file, content });
    }
  });

  it('cover the six services and the console with their ports', () => {
    expect(ECS_SERVICES.map(({ name, port }) => ({ name, port }))).toEqual(SERVICES.map(({ name, port }) => ({ name, port })));
    expect({ name: ECS_CONSOLE.name, port: ECS_CONSOLE.port }).toEqual({ name: CONSOLE.name, port: CONSOLE.port });
  });

  it('points the console at every service by its Service Connect alias', () => {
    const environment = read('console.json').containerDefinitions?.[0].environment ?? [];
    const urls = environment.find((variable) => variable.name === 'CONSOLE_SERVICE_URLS')?.value ?? '';
    expect(urls.split(',').sort()).toEqual(SERVICES.map(({ name, port }) => `${name}=http://${name}:${port}`).sort());
  });

  describe.each(APPS)('$name.json', (expected) => {
    const task = read(`${expected.name}.json`);
    const containers = task.containerDefinitions ?? [];
    const container = containers[0] as ContainerDefinition;
    const environment = new Map((container.environment ?? []).map(({ name, value }) => [name ?? '', value ?? '']));

    it('is a Fargate task in awsvpc mode with a valid size and both roles', () => {
      expect(task.family).toBe(`shop-${expected.name}`);
      expect(task.requiresCompatibilities).toEqual(['FARGATE']);
      expect(task.networkMode).toBe('awsvpc');
      expect(FARGATE_SIZES[task.cpu ?? '']?.(Number(task.memory))).toBe(true);
      expect(task.executionRoleArn).toMatch(/^arn:aws:iam::\$\{AWS_ACCOUNT_ID\}:role\/[\w+=,.@-]+$/);
      expect(task.taskRoleArn).toMatch(/^arn:aws:iam::\$\{AWS_ACCOUNT_ID\}:role\/[\w+=,.@-]+$/);
      expect(task.taskRoleArn).not.toBe(task.executionRoleArn);
      expect(containers).toHaveLength(1);
      expect(container.essential).toBe(true);
      expect(container.image).toBe(`\${AWS_ACCOUNT_ID}.dkr.ecr.\${AWS_REGION}.amazonaws.com/shop-${expected.name}:\${IMAGE_TAG}`);
    });

    it(`listens on ${expected.port}`, () => {
      expect(container.portMappings).toEqual([expect.objectContaining({ containerPort: expected.port, protocol: 'tcp' })]);
      expect(container.portMappings?.[0].hostPort ?? expected.port).toBe(expected.port);
      expect(environment.get('PORT')).toBe(String(expected.port));
    });

    it('has the Dockerfile health check, on the liveness route', () => {
      expect(container.healthCheck?.command?.[0]).toBe('CMD');
      expect(container.healthCheck?.command?.slice(1)).toEqual(dockerfileHealthcheck);
      expect(urlOfHealthCommand(container.healthCheck?.command ?? [])?.pathname).toBe(LIVENESS_ROUTE);
      expect(container.healthCheck?.startPeriod).toBeGreaterThan(0);
    });

    it('waits past the drain deadline before SIGKILL', () => {
      expect(Number(environment.get('SHUTDOWN_DRAIN_MS'))).toBe(SHUTDOWN_DRAIN_MS);
      expect((container.stopTimeout ?? 30) * 1000).toBeGreaterThan(SHUTDOWN_DRAIN_MS);
      expect(container.stopTimeout).toBeLessThanOrEqual(120); // Fargate's maximum
    });

    it('logs to CloudWatch with the awslogs driver', () => {
      expect(container.logConfiguration?.logDriver).toBe('awslogs');
      expect(container.logConfiguration?.options).toMatchObject({
        'awslogs-group': expect.stringContaining(expected.name),
        'awslogs-region': '${AWS_REGION}',
        'awslogs-stream-prefix': expect.any(String),
      });
    });

    it('gets every variable it needs, DATABASE_URL and OPS_TOKEN from Secrets Manager / SSM', () => {
      const secrets = new Map((container.secrets ?? []).map(({ name, valueFrom }) => [name, valueFrom]));
      for (const variable of requiredEnv(expected)) {
        expect({ variable, provided: environment.has(variable) || secrets.has(variable) }).toEqual({ variable, provided: true });
      }
      for (const variable of SECRET_ENV) {
        expect(environment.has(variable)).toBe(false);
        expect(secrets.get(variable)).toMatch(/^(\$\{[A-Z_]+\}|arn:aws:(secretsmanager|ssm):\$\{AWS_REGION\}:\$\{AWS_ACCOUNT_ID\}:(secret:|parameter\/).+)$/);
      }
      for (const variable of EMULATOR_ONLY_ENV) expect(environment.has(variable)).toBe(false);
      expect(environment.get('DB_MIGRATE_ON_START')).toBe('false');
      expect(environment.get('TOPOLOGY_PREFIX')).toBe(TOPOLOGY_PREFIX);
    });

    it('runs with a read-only root file system and a writable /tmp', () => {
      expect(container.readonlyRootFilesystem).toBe(true);
      const tmp = container.mountPoints?.find((mount) => mount.containerPath === '/tmp');
      expect(task.volumes?.map((volume) => volume.name)).toContain(tmp?.sourceVolume);
    });

    it('leaves only the documented placeholders to fill in', () => {
      const used = new Set([...JSON.stringify(task).matchAll(/\$\{([A-Za-z_]+)\}/g)].map((match) => match[1]));
      expect([...used].filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name))).toEqual([]);
      // Nothing else that envsubst would touch.
      expect(JSON.stringify(task).replace(/\$\{[A-Z_]+\}/g, '')).not.toContain('$');
    });
  });
});
