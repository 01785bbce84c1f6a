import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore from '@balena/dockerignore';
import { DockerfileParser, type Copy } from 'dockerfile-ast';
import { argumentsText, execFormOf, lintDockerfile, stagesOf } from './support/dockerfile-lint';
import { LIVENESS_ROUTE, KNOWN_ROUTES, REPO_ROOT, urlOfHealthCommand } from './support/expectations';

const DOCKERFILE = readFileSync(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(DOCKERFILE);
const stages = stagesOf(dockerfile);
const runtime = stages[stages.length - 1];
const runtimeInstructions = (keyword: string) => runtime.instructions.filter((instruction) => instruction.getKeyword() === keyword);
const stageRunning = (pattern: RegExp) => stages.find((stage) => stage.instructions.some((i) => i.getKeyword() === 'RUN' && pattern.test(argumentsText(i))));

describe('docker/Dockerfile', () => {
  it('passes the linter with no findings', () => {
    expect(lintDockerfile(DOCKERFILE)).toEqual([]);
  });

  it('builds on an official Node 22 slim image pinned to a patch release, the Node of the devDependency', () => {
    const external = stages.map((stage) => stage.from).filter((from) => !stages.some((s) => s.name === from.getImageName()));
    expect(external).toHaveLength(1);
    const [base] = external;
    expect(base.getImageName()).toBe('node');
    const tag = base.getImageTag() ?? '';
    expect(tag).toMatch(/^22\.\d+\.\d+-bookworm-slim$/);

    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    const [major, minor] = tag.split(/[.-]/).map(Number);
    expect(String(major)).toBe(/\d+/.exec(pkg.devDependencies.node)?.[0]);
    const [engineMajor, engineMinor] = (/(\d+)\.(\d+)/.exec(pkg.engines.node) ?? []).slice(1).map(Number);
    expect(major > engineMajor || (major === engineMajor && minor >= engineMinor)).toBe(true);
  });

  it('is multi-stage: a build stage compiles, a prod-deps stage installs runtime deps only, the runtime copies both', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const build = stageRunning(/\bnpm run build\b/);
    const prodDeps = stageRunning(/\bnpm ci\b.*--omit=dev/);
    expect(build?.name).toBeTruthy();
    expect(prodDeps?.name).toBeTruthy();
    expect(build).not.toBe(runtime);
    expect(prodDeps).not.toBe(runtime);

    const copies = (runtimeInstructions('COPY') as Copy[]).map((copy) => ({
      from: copy.getFromFlag()?.getValue(),
      args: copy.getArguments().map((argument) => argument.getValue()),
    }));
    expect(copies).toContainEqual({ from: prodDeps?.name, args: ['/app/node_modules', './node_modules'] });
    expect(copies).toContainEqual({ from: build?.name, args: ['/app/dist', './dist'] });
    // Nothing in the runtime stage installs dev dependencies or compiles.
    for (const run of runtimeInstructions('RUN')) {
      expect(argumentsText(run)).not.toMatch(/\bnpm (ci|install|i|run)\b/);
    }
  });

  it('selects the service with the APP build argument and fails the build without one', () => {
    expect(runtimeInstructions('ARG').map(argumentsText)).toContain('APP');
    const entry = runtimeInstructions('RUN').map(argumentsText).find((text) => text.includes('${APP}'));
    expect(entry).toMatch(/test -n "\$\{APP\}"/);
    expect(entry).toContain('dist/apps/${APP}/src/main.js');
  });

  it('runs as the non-root node user (uid 1000)', () => {
    const users = runtimeInstructions('USER').map(argumentsText);
    expect(users[users.length - 1]).toMatch(/^(node|1000)(:(node|1000))?$/);
  });

  it('runs node under tini in exec form, so SIGTERM reaches the app and zombies are reaped', () => {
    const [entrypoint] = runtimeInstructions('ENTRYPOINT');
    const [cmd] = runtimeInstructions('CMD');
    expect(execFormOf(entrypoint)).toEqual(['/usr/bin/tini', '--']);
    expect(execFormOf(cmd)?.[0]).toBe('node');
    expect(runtimeInstructions('RUN').map(argumentsText).join('\n')).toMatch(/apt-get install .*\btini=/);
  });

  it('has a HEALTHCHECK that asks the liveness route with node (no curl in slim images)', () => {
    const [healthcheck] = runtimeInstructions('HEALTHCHECK');
    const command = execFormOf(healthcheck);
    expect(command?.slice(0, 2)).toEqual(['node', '-e']);
    const url = urlOfHealthCommand(command ?? []);
    expect(url?.pathname).toBe(LIVENESS_ROUTE);
    expect(KNOWN_ROUTES).toContain(url?.pathname);
    expect(url?.hostname).toBe('127.0.0.1');
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const rules = ignore().add(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'));
    const sources = stages
      .flatMap((stage) => stage.instructions)
      .filter((instruction) => instruction.getKeyword() === 'COPY' && !(instruction as Copy).getFromFlag())
      .flatMap((copy) => copy.getArguments().slice(0, -1).map((argument) => argument.getValue()));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(REPO_ROOT, source)) }).toEqual({ source, exists: true });
      expect({ source, ignored: rules.ignores(source) }).toEqual({ source, ignored: false });
    }
    for (const kept of ['apps/orders/src/main.ts', 'libs/messaging/src/index.ts', 'tools/provision/main.ts']) {
      expect({ kept, ignored: rules.ignores(kept) }).toEqual({ kept, ignored: false });
    }
    for (const dropped of [
      'node_modules/yaml/package.json',
      'dist/apps/orders/src/main.js',
      '.git/HEAD',
      '.env',
      '.data/pg/PG_VERSION',
      'test/deploy/dockerfile.spec.ts',
      'apps/orders/src/orders.controller.spec.ts',
      'libs/messaging/test/outbox.int-spec.ts',
      'k8s/base/kustomization.yaml',
      'docker-compose.yml',
    ]) {
      expect({ dropped, ignored: rules.ignores(dropped) }).toEqual({ dropped, ignored: true });
    }
  });
});

describe('the Dockerfile linter', () => {
  const good = DOCKERFILE;
  const rulesOf = (content: string) => lintDockerfile(content).map((problem) => problem.rule);

  it.each([
    ['an untagged base image', good.replace('node:22.23.3-bookworm-slim', 'node'), 'DL3006'],
    ['the latest tag', good.replace('node:22.23.3-bookworm-slim', 'node:latest'), 'DL3007'],
    ['a floating major tag', good.replace('node:22.23.3-bookworm-slim', 'node:22-bookworm-slim'), 'SHOP001'],
    ['a root final user', good.replace('USER 1000:1000', 'USER root'), 'DL3002'],
    ['no USER at all', good.replace('USER 1000:1000', ''), 'SHOP003'],
    ['no HEALTHCHECK', good.replace(/HEALTHCHECK[^\n]*\\\n[^\n]*\n/, ''), 'SHOP004'],
    ['a shell-form CMD', good.replace('CMD ["node", "service.js"]', 'CMD node service.js'), 'DL3025'],
    ['a shell-form ENTRYPOINT', good.replace('ENTRYPOINT ["/usr/bin/tini", "--"]', 'ENTRYPOINT /usr/bin/tini --'), 'DL3025'],
    ['an unpinned apt package', good.replace('tini=0.19.0-1+b3', 'tini'), 'DL3008'],
    ['recommended apt packages', good.replace(' --no-install-recommends', ''), 'DL3015'],
    ['apt lists left behind', good.replace(' \\\n    && rm -rf /var/lib/apt/lists/*', ''), 'DL3009'],
    ['ADD for local files', good.replace('COPY apps ./apps', 'ADD apps ./apps'), 'DL3020'],
    ['npm install', good.replace('npm ci --no-audit --no-fund', 'npm install'), 'SHOP002'],
    ['COPY --from an unknown stage', good.replace('--from=build', '--from=builder'), 'DL3022'],
    ['cd in RUN', good.replace('RUN npm run build', 'RUN cd /app && npm run build'), 'DL3003'],
    ['a pipe without pipefail', good.replace('RUN npm run build', 'RUN npm run build | tee build.log'), 'DL4006'],
    ['a lowercase instruction', good.replace('EXPOSE ${PORT}', 'expose ${PORT}'), 'dockerfile-utils:0'],
  ])('reports %s', (_what, content, rule) => {
    expect(content).not.toBe(good);
    expect(rulesOf(content)).toContain(rule);
  });
});
