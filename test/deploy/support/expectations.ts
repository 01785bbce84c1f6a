/**
 * What the deployment artefacts must agree with, stated once and independently of them: every
 * check in test/deploy compares compose, Kubernetes, ECS and the Dockerfile against these facts.
 */
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');

export interface ExpectedService {
  name: string;
  port: number;
  /** Variables only this service reads, on top of COMMON_ENV. */
  ownEnv: readonly string[];
}

export const SERVICES: readonly ExpectedService[] = [
  { name: 'orders', port: 3001, ownEnv: [] },
  { name: 'inventory', port: 3002, ownEnv: [] },
  { name: 'payments', port: 3003, ownEnv: ['PAYMENT_DECLINE_ABOVE'] },
  { name: 'billing', port: 3004, ownEnv: [] },
  { name: 'shipping', port: 3005, ownEnv: [] },
  { name: 'notifications', port: 3006, ownEnv: [] },
];

/** The operations console: an app like the services (same image, probes, secrets), with no queue of its own. */
export const CONSOLE: ExpectedService = { name: 'console', port: 3000, ownEnv: ['CONSOLE_SERVICE_URLS'] };

/** Everything that runs from the image: the six services and the console. */
export const APPS: readonly ExpectedService[] = [...SERVICES, CONSOLE];

/** Variables every service container must be given. */
export const COMMON_ENV = [
  'PORT',
  'LOG_LEVEL',
  'DATABASE_URL',
  'AWS_REGION',
  'AWS_ACCOUNT_ID',
  'TOPOLOGY_PREFIX',
  'SHUTDOWN_DRAIN_MS',
  'DB_MIGRATE_ON_START',
  'OPS_TOKEN',
] as const;

/** Variables that hold secrets: they must come from a secret store, never from plain config. */
export const SECRET_ENV = ['DATABASE_URL', 'OPS_TOKEN'] as const;

/**
 * Stand-ins of the shape the services accept, for secrets an artefact only names (a Secrets
 * Manager or SSM reference, an ExternalSecret): what the config-loader checks start a service with.
 */
export const SECRET_PLACEHOLDERS: Record<(typeof SECRET_ENV)[number], string> = {
  DATABASE_URL: 'postgres://shop:placeholder@database.invalid:5432/shop',
  OPS_TOKEN: 'placeholder-ops-token-from-the-secret-store',
};

/** Example values for the ECS templates' deploy-time placeholders (docker/ecs/generate.ts PLACEHOLDERS). */
export const ECS_PLACEHOLDER_EXAMPLES: Record<string, string> = {
  AWS_ACCOUNT_ID: '111122223333',
  AWS_REGION: 'us-east-1',
  IMAGE_TAG: '0.1.0',
  DATABASE_URL_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:shop/database-url-AbCdEf',
};

/** Only for the emulator: must be absent on real AWS. */
export const EMULATOR_ONLY_ENV = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

/** The services finish in-flight handlers within this after SIGTERM (the app's default). */
export const SHUTDOWN_DRAIN_MS = 20_000;

/** Prefix of every SNS topic and SQS queue: the queue of a service is `<prefix>-<service>`. */
export const TOPOLOGY_PREFIX = 'shop';

/**
 * HTTP routes every service serves; test/deploy-routes.e2e-spec.ts checks them against the real
 * services.
 */
export const KNOWN_ROUTES = ['/health/live', '/health/ready', '/metrics', '/docs'] as const;
export const LIVENESS_ROUTE = '/health/live';
export const READINESS_ROUTE = '/health/ready';
export const METRICS_ROUTE = '/metrics';

export function requiredEnv(service: ExpectedService): string[] {
  return [...COMMON_ENV, ...service.ownEnv];
}

/**
 * The URL a `node -e "fetch(...)"` health command requests: its string pieces joined, with any
 * expression between them (such as the port from process.env) standing in as port 1.
 */
export function urlOfHealthCommand(command: readonly string[]): URL | undefined {
  const call = /fetch\((.*?)\)\.then/.exec(command.join(' '));
  if (!call) return undefined;
  const pieces = [...call[1].matchAll(/'([^']*)'/g)].map((match) => match[1]);
  try {
    return new URL(pieces.join('1'));
  } catch {
    return undefined;
  }
}
