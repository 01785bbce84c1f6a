/**
 * Every container the artefacts define starts its service's own configuration loader with the
 * environment that artefact gives it: compose (interpolated as `docker compose up` does with no
 * variables set), each Kubernetes overlay after kustomize, and each ECS task definition. Secrets
 * that a secret store fills in are stood in for by documented placeholders of valid shape.
 *
 * Regression: compose and the local overlay shipped `OPS_TOKEN=local-ops-token` (15 characters),
 * which the services refuse (16 or more), so neither started as shipped while every check passed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { parseDocument } from 'yaml';
import { configurationProblems, interpolateUnset, loaderFor, secretPlaceholder } from './support/config-loaders';
import { ECS_PLACEHOLDER_EXAMPLES, REPO_ROOT } from './support/expectations';
import { containerEnvironment, type EnvContainer } from './support/k8s-environment';
import { kustomizeBuild, type K8sObject } from './support/kustomize';

interface Artefact {
  /** Where it is defined, as a person would look for it: `docker-compose.yml service orders`. */
  name: string;
  app: string;
  command: string[];
  env: NodeJS.ProcessEnv;
}

/** The app an image of the shop belongs to: `shop-orders:local`, `…amazonaws.com/shop-orders:${IMAGE_TAG}`. */
const appOfImage = (image: string | undefined) => /(?:^|\/)shop-([a-z][a-z0-9-]*)(?::|$)/.exec(image ?? '')?.[1];

function composeArtefacts(): Artefact[] {
  const compose = parseDocument(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }).toJS() as {
    services: Record<string, { build?: { args?: Record<string, string> }; command?: string[]; environment?: Record<string, unknown>; profiles?: string[] }>;
  };
  return Object.entries(compose.services)
    .filter(([, service]) => service.build?.args?.APP)
    .map(([name, service]) => ({
      name: `docker-compose.yml service ${name}`,
      app: service.build?.args?.APP ?? '',
      command: service.command ?? [],
      env: Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolateUnset(String(value ?? ''), `docker-compose.yml service ${name}`)])),
    }));
}

interface PodWorkload extends K8sObject {
  spec: { template: { spec: { containers: (EnvContainer & { name: string; image: string; command?: string[]; args?: string[] })[] } } };
}

function kubernetesArtefacts(overlay: string): Artefact[] {
  const objects = kustomizeBuild(join(REPO_ROOT, 'k8s/overlays', overlay));
  const workloads = objects.filter((object): object is PodWorkload => ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(object.kind));
  return workloads.flatMap((workload) =>
    workload.spec.template.spec.containers
      .filter((container) => appOfImage(container.image))
      .map((container) => {
        const name = `k8s/overlays/${overlay} ${workload.kind}/${workload.metadata.name} container ${container.name}`;
        const env = Object.fromEntries(
          [...containerEnvironment(objects, container)].map(([key, { source, value }]) => [key, value ?? (source === 'secret' ? secretPlaceholder(name, key) : '')]),
        );
        return { name, app: appOfImage(container.image) ?? '', command: [...(container.command ?? []), ...(container.args ?? [])], env };
      }),
  );
}

function ecsArtefacts(): Artefact[] {
  const directory = join(REPO_ROOT, 'docker/ecs');
  const fill = (text: string, where: string) =>
    text.replace(/\$\{([A-Z_]+)\}/g, (_match, placeholder: string) => {
      const example = ECS_PLACEHOLDER_EXAMPLES[placeholder];
      if (example === undefined) throw new Error(`${where}: no example value for the placeholder \${${placeholder}} in ECS_PLACEHOLDER_EXAMPLES`);
      return example;
    });
  return readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .flatMap((file) => {
      const task = JSON.parse(readFileSync(join(directory, file), 'utf8')) as RegisterTaskDefinitionCommandInput;
      return (task.containerDefinitions ?? []).map((container) => {
        const name = `docker/ecs/${file} container ${container.name}`;
        const environment = (container.environment ?? []).map(({ name: key, value }) => [key ?? '', fill(value ?? '', name)]);
        const secrets = (container.secrets ?? []).map(({ name: key }) => [key ?? '', secretPlaceholder(name, key ?? '')]);
        return { name, app: appOfImage(container.image) ?? '', command: [...(container.entryPoint ?? []), ...(container.command ?? [])], env: Object.fromEntries([...environment, ...secrets]) };
      });
    });
}

const ARTEFACTS = { compose: composeArtefacts(), 'k8s local': kubernetesArtefacts('local'), 'k8s aws': kubernetesArtefacts('aws'), ecs: ecsArtefacts() };

describe.each(Object.entries(ARTEFACTS))('the %s artefacts', (_kind, artefacts) => {
  it('define containers of the shop images to check', () => {
    expect(artefacts.length).toBeGreaterThan(0);
    for (const artefact of artefacts) expect({ artefact: artefact.name, app: artefact.app }).toEqual({ artefact: artefact.name, app: expect.stringMatching(/^[a-z]/) });
  });

  it('start every service: its config loader accepts the environment they give it', () => {
    const problems = artefacts.flatMap((artefact) => configurationProblems(artefact.name, loaderFor(artefact.app, artefact.command), artefact.env));
    expect(problems).toEqual([]);
  });
});

it('regression: compose and the local overlay ship an OPS_TOKEN the services accept (they refused the 15-character one)', () => {
  const shipped = [...ARTEFACTS.compose, ...ARTEFACTS['k8s local']].filter((artefact) => artefact.env.OPS_TOKEN !== undefined);
  expect(shipped.length).toBeGreaterThan(0);
  const problems = shipped.flatMap((artefact) => configurationProblems(artefact.name, loaderFor(artefact.app, artefact.command), artefact.env));
  expect(problems.filter((problem) => problem.includes('OPS_TOKEN'))).toEqual([]);
});

describe('the config-loader check', () => {
  const [orders] = ARTEFACTS.compose.filter((artefact) => artefact.app === 'orders' && artefact.command.length === 0);

  it("is real: a value the service refuses fails it, naming the artefact and the variable", () => {
    const problems = configurationProblems(orders.name, loaderFor(orders.app), { ...orders.env, OPS_TOKEN: 'local-ops-token', PGPORT: 'five' });
    expect(problems).toEqual([
      'docker-compose.yml service orders: PGPORT: Invalid input: expected number, received NaN',
      'docker-compose.yml service orders: OPS_TOKEN: must be at least 16 characters',
    ]);
  });

  it('reads compose values as `docker compose up` does with nothing set: defaults, empty otherwise, $$ a dollar', () => {
    expect(interpolateUnset('${OPS_TOKEN:-a-default}')).toBe('a-default');
    expect(interpolateUnset('${LEVEL-info}/${UNSET}/$ALSO_UNSET/$$HOME/${SET_ONLY:+x}')).toBe('info///$HOME/');
    expect(() => interpolateUnset('${TOKEN:?set TOKEN first}', 'service orders')).toThrow('service orders: compose will not start without TOKEN (set TOKEN first)');
  });

  it('runs the messaging loader for the provision job, which runs a service image with a tool as its command', () => {
    const provision = ARTEFACTS.compose.find((artefact) => artefact.name === 'docker-compose.yml service provision');
    expect(provision?.command.join(' ')).toContain('dist/tools/provision/main.js');
    expect(configurationProblems('provision', loaderFor(provision?.app ?? '', provision?.command), { ...provision?.env, OPS_TOKEN: 'short' })).toEqual([
      'provision: OPS_TOKEN: must be at least 16 characters',
    ]);
  });
});
