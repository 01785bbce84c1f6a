/**
 * Writes one ECS (Fargate) task-definition template per service into docker/ecs/<service>.json.
 * The JSON files are committed; test/deploy checks they match what this script produces, so edit
 * here and regenerate instead of editing the JSON:
 *
 *   npx node docker/ecs/generate.ts
 *
 * (`npx node` is the Node 22 from devDependencies, which runs TypeScript without a build step;
 * this file therefore imports nothing but node: modules and types.)
 *
 * The templates hold ${PLACEHOLDERS} for the values that differ per account (see PLACEHOLDERS);
 * render one with envsubst and register it:
 *
 *   envsubst < docker/ecs/orders.json > /tmp/orders.json
 *   aws ecs register-task-definition --cli-input-json file:///tmp/orders.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

export interface EcsService {
  name: string;
  port: number;
  /** Settings only this service reads. */
  extraEnvironment?: Record<string, string>;
}

export const ECS_SERVICES: readonly EcsService[] = [
  { name: 'orders', port: 3001 },
  { name: 'inventory', port: 3002 },
  { name: 'payments', port: 3003, extraEnvironment: { PAYMENT_DECLINE_ABOVE: '100000' } },
  { name: 'billing', port: 3004 },
  { name: 'shipping', port: 3005 },
  { name: 'notifications', port: 3006 },
];

/**
 * The operations console runs beside them from the same image. It reaches each service's admin API
 * by the Service Connect alias `<service>:<port>` of the service's `http` port.
 */
export const ECS_CONSOLE: EcsService = {
  name: 'console',
  port: 3000,
  extraEnvironment: { CONSOLE_SERVICE_URLS: ECS_SERVICES.map((service) => `${service.name}=http://${service.name}:${service.port}`).join(',') },
};

/** Filled in at deploy time (envsubst); nothing else in the templates varies per account. */
export const PLACEHOLDERS = ['AWS_ACCOUNT_ID', 'AWS_REGION', 'IMAGE_TAG', 'DATABASE_URL_SECRET_ARN'] as const;

/** Service drains in-flight handlers within this many ms after SIGTERM (the app's default). */
export const SHUTDOWN_DRAIN_MS = 20_000;

/** Seconds ECS waits after SIGTERM before SIGKILL: the drain deadline plus a margin (max 120). */
export const STOP_TIMEOUT_SECONDS = 30;

/** Same command as the Dockerfile HEALTHCHECK and the compose healthchecks. */
export const HEALTH_CHECK_COMMAND = [
  'CMD',
  'node',
  '-e',
  "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
];

const ACCOUNT = '${AWS_ACCOUNT_ID}';
const REGION = '${AWS_REGION}';

export function taskDefinition(service: EcsService): RegisterTaskDefinitionCommandInput {
  const environment: Record<string, string> = {
    PORT: String(service.port),
    LOG_LEVEL: 'info',
    AWS_REGION: REGION,
    AWS_ACCOUNT_ID: ACCOUNT,
    TOPOLOGY_PREFIX: 'shop',
    SHUTDOWN_DRAIN_MS: String(SHUTDOWN_DRAIN_MS),
    DB_MIGRATE_ON_START: 'false',
    ...service.extraEnvironment,
  };
  return {
    family: `shop-${service.name}`,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
    // Pulls the image, reads the two secrets, writes the logs.
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/shop-ecs-task-execution`,
    // What the service itself may do: its queue, its topic (least privilege, one role per service).
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/shop-${service.name}-task`,
    containerDefinitions: [
      {
        name: service.name,
        image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/shop-${service.name}:\${IMAGE_TAG}`,
        essential: true,
        portMappings: [{ name: 'http', containerPort: service.port, protocol: 'tcp', appProtocol: 'http' }],
        environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
        secrets: [
          { name: 'DATABASE_URL', valueFrom: '${DATABASE_URL_SECRET_ARN}' },
          { name: 'OPS_TOKEN', valueFrom: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/shop/ops-token` },
        ],
        healthCheck: { command: HEALTH_CHECK_COMMAND, interval: 10, timeout: 5, retries: 3, startPeriod: 30 },
        stopTimeout: STOP_TIMEOUT_SECONDS,
        readonlyRootFilesystem: true,
        mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': `/ecs/shop/${service.name}`,
            'awslogs-region': REGION,
            'awslogs-stream-prefix': service.name,
            'awslogs-create-group': 'true',
          },
        },
      },
    ],
    volumes: [{ name: 'tmp' }],
    tags: [
      { key: 'app', value: 'shop' },
      { key: 'service', value: service.name },
    ],
  };
}

/** File name (relative to docker/ecs) -> file content, for every service and the console. */
export function renderTaskDefinitions(): Map<string, string> {
  return new Map([...ECS_SERVICES, ECS_CONSOLE].map((service) => [`${service.name}.json`, `${JSON.stringify(taskDefinition(service), null, 2)}\n`]));
}

function writeAll(directory: string): void {
  mkdirSync(directory, { recursive: true });
  for (const [file, content] of renderTaskDefinitions()) {
    writeFileSync(join(directory, file), content);
    process.stdout.write(`wrote ${join(directory, file)}\n`);
  }
}

if (/[\\/]docker[\\/]ecs[\\/]generate\.ts$/.test(process.argv[1] ?? '')) {
  writeAll(dirname(resolve(process.argv[1])));
}
