/**
 * Builds both overlays with kustomize and checks the rendered objects: schemas (Kubernetes API,
 * KEDA and External Secrets CRDs), references between objects, probes, security, scaling, and
 * the environment every service needs.
 */
import { join } from 'node:path';
import { containerEnvironment, secretValues, type EnvSource } from './support/k8s-environment';
import { kustomizeBuild, type K8sObject } from './support/kustomize';
import { schemaFailures, validateAgainstSchemas } from './support/schema';
import {
  EMULATOR_ONLY_ENV,
  KNOWN_ROUTES,
  LIVENESS_ROUTE,
  METRICS_ROUTE,
  READINESS_ROUTE,
  REPO_ROOT,
  SECRET_ENV,
  SERVICES,
  APPS,
  CONSOLE,
  SHUTDOWN_DRAIN_MS,
  TOPOLOGY_PREFIX,
  requiredEnv,
} from './support/expectations';

// ---- minimal typing of the fields the checks read ----
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  periodSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    privileged?: boolean;
    seccompProfile?: { type: string };
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; emptyDir?: object }[];
  restartPolicy?: string;
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}
type Workload = K8sObject & { spec: { template: PodTemplate; selector?: { matchLabels: Record<string, string> }; replicas?: number } };
type Service = K8sObject & { spec: { selector: Record<string, string>; ports: { name?: string; port: number; targetPort: string | number }[] } };
type Pdb = K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number | string; minAvailable?: number | string } };
type NetworkPolicy = K8sObject & {
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes?: string[];
    ingress?: { from?: unknown[]; ports?: { port?: string | number; protocol?: string }[] }[];
  };
};
type ScaledObject = K8sObject & {
  spec: {
    scaleTargetRef: { name: string; kind?: string; apiVersion?: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers: { type: string; metadata: Record<string, string>; authenticationRef?: { name: string; kind?: string } }[];
  };
};
type TriggerAuthentication = K8sObject & {
  spec: { podIdentity?: { provider: string; identityOwner?: string }; secretTargetRef?: { parameter: string; name: string; key: string }[] };
};
type ConfigMap = K8sObject & { data?: Record<string, string> };

class Rendered {
  constructor(readonly objects: K8sObject[]) {}

  all<T extends K8sObject>(kind: string): T[] {
    return this.objects.filter((object) => object.kind === kind) as T[];
  }

  find<T extends K8sObject>(kind: string, name: string): T | undefined {
    return this.all<T>(kind).find((object) => object.metadata.name === name);
  }

  get<T extends K8sObject>(kind: string, name: string): T {
    const found = this.find<T>(kind, name);
    if (!found) throw new Error(`no ${kind}/${name} in the build`);
    return found;
  }

  /** The keys a Secret named so will hold: a Secret in the build, or the target of an ExternalSecret. */
  secretKeys(name: string): string[] | undefined {
    const values = secretValues(this.objects, name);
    return values && [...values.keys()];
  }

  /** Where each environment variable of a container comes from: 'value', 'configmap' or 'secret'. */
  environment(container: Container): Map<string, EnvSource> {
    return containerEnvironment(this.objects, container);
  }

  config(): Record<string, string> {
    const [config] = this.all<ConfigMap>('ConfigMap').filter((c) => c.metadata.name.startsWith('shop-config'));
    return config?.data ?? {};
  }
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  Object.keys(selector ?? {}).length > 0 && Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value);

/** Resolves a probe/Service/NetworkPolicy port (number or container port name) to a number. */
function resolvePort(container: Container, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function preStopSeconds(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  return command[0] === 'sleep' ? Number(command[1]) : 0;
}

const OVERLAYS = ['local', 'aws'] as const;
const builds = new Map(OVERLAYS.map((overlay) => [overlay, new Rendered(kustomizeBuild(join(REPO_ROOT, 'k8s/overlays', overlay)))]));
const build = (overlay: (typeof OVERLAYS)[number]) => builds.get(overlay) as Rendered;

describe('the schema validator', () => {
  it('rejects objects that break the Kubernetes and KEDA schemas, and unknown kinds', () => {
    const deployment = structuredClone(build('aws').get<Workload>('Deployment', 'shop-orders'));
    (deployment.spec.template.spec.containers[0].ports ?? [])[0].containerPort = '3001' as unknown as number;
    const scaledObject = structuredClone(build('aws').get<ScaledObject>('ScaledObject', 'shop-orders'));
    (scaledObject.spec.triggers[0].metadata as Record<string, unknown>).queueLength = 20;
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const failures = schemaFailures(validateAgainstSchemas([deployment, scaledObject, unknown]));
    expect(failures).toEqual([
      expect.stringMatching(/^Deployment\/shop-orders: .*containerPort must be integer/),
      expect.stringMatching(/^ScaledObject\/shop-orders: .*queueLength must be string/),
      expect.stringMatching(/^Widget\/w: no schema/),
    ]);
  });
});

describe.each(OVERLAYS)('k8s/overlays/%s', (overlay) => {
  const rendered = build(overlay);

  it('renders every object valid against the Kubernetes, KEDA and External Secrets schemas', () => {
    expect(rendered.objects.length).toBeGreaterThan(40);
    expect(schemaFailures(validateAgainstSchemas(rendered.objects))).toEqual([]);
  });

  it('names every object validly and once, all in the shop namespace', () => {
    const ids = rendered.objects.map((object) => `${object.kind}/${object.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const object of rendered.objects) {
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/);
      if (object.kind !== 'Namespace') expect({ id: `${object.kind}/${object.metadata.name}`, ns: object.metadata.namespace }).toMatchObject({ ns: 'shop' });
    }
    expect(rendered.find('Namespace', 'shop')).toBeDefined();
  });

  it('keeps shared settings in one ConfigMap: drain deadline, topology prefix, migrations off', () => {
    const config = rendered.config();
    expect(Number(config.SHUTDOWN_DRAIN_MS)).toBe(SHUTDOWN_DRAIN_MS);
    expect(config.TOPOLOGY_PREFIX).toBe(TOPOLOGY_PREFIX);
    expect(config.DB_MIGRATE_ON_START).toBe('false');
    expect(config.AWS_ACCOUNT_ID).toMatch(/^\d{12}$/);
    for (const secret of SECRET_ENV) expect(config).not.toHaveProperty(secret);
  });

  describe('the operations console', () => {
    const deployment = rendered.get<Workload>('Deployment', 'shop-console');
    const pod = deployment.spec.template;
    const [container] = pod.spec.containers;

    it('has a Deployment of one replica, a Service, a ServiceAccount and a NetworkPolicy', () => {
      for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'NetworkPolicy']) {
        expect({ kind, found: rendered.find(kind, 'shop-console') !== undefined }).toEqual({ kind, found: true });
      }
      expect(deployment.spec.replicas).toBe(1);
      expect(pod.spec.serviceAccountName).toBe('shop-console');
      expect(resolvePort(container, 'http')).toBe(CONSOLE.port);
    });

    it('probes the routes it serves and gets every variable it needs, secrets from a Secret', () => {
      expect(container.livenessProbe?.httpGet?.path).toBe(LIVENESS_ROUTE);
      expect(container.readinessProbe?.httpGet?.path).toBe(READINESS_ROUTE);
      const env = rendered.environment(container);
      for (const variable of requiredEnv(CONSOLE)) expect({ variable, provided: env.has(variable) }).toEqual({ variable, provided: true });
      for (const variable of SECRET_ENV) expect({ variable, source: env.get(variable)?.source }).toEqual({ variable, source: 'secret' });
    });

    it("reaches every service's admin API through that service's Service and port", () => {
      const urls = (rendered.environment(container).get('CONSOLE_SERVICE_URLS')?.value ?? '').split(',').map((pair) => pair.split('='));
      expect(urls.map(([name]) => name).sort()).toEqual(SERVICES.map((s) => s.name).sort());
      for (const [name, url] of urls) {
        const { hostname, port } = new URL(url);
        const service = rendered.get<K8sObject & { spec: { ports: { port: number }[] } }>('Service', hostname);
        expect({ name, port: Number(port), served: service.spec.ports.map((p) => p.port) }).toEqual({ name, port: SERVICES.find((s) => s.name === name)?.port, served: [Number(port)] });
      }
    });
  });

  describe.each(SERVICES)('service $name', (expected) => {
    const name = `shop-${expected.name}`;
    const deployment = rendered.get<Workload>('Deployment', name);
    const pod = deployment.spec.template;
    const [container] = pod.spec.containers;

    it('has a Deployment, Service, ServiceAccount, PodDisruptionBudget, NetworkPolicy and ScaledObject', () => {
      for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'NetworkPolicy', 'ScaledObject']) {
        expect({ kind, found: rendered.find(kind, name) !== undefined }).toEqual({ kind, found: true });
      }
      expect(pod.spec.containers).toHaveLength(1);
      expect(matches(deployment.spec.selector?.matchLabels, pod.metadata?.labels)).toBe(true);
      expect(pod.metadata?.labels?.['app.kubernetes.io/name']).toBe(expected.name);
      expect(pod.spec.serviceAccountName).toBe(name);
      expect(deployment.spec.replicas).toBeUndefined(); // KEDA owns the replica count
    });

    it(`listens on ${expected.port}, is scraped by Prometheus there, and is reachable through its Service`, () => {
      expect(resolvePort(container, 'http')).toBe(expected.port);
      expect(rendered.environment(container).get('PORT')?.value).toBe(String(expected.port));
      expect(pod.metadata?.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(expected.port),
        'prometheus.io/path': METRICS_ROUTE,
      });
      expect(KNOWN_ROUTES).toContain(pod.metadata?.annotations?.['prometheus.io/path']);

      const service = rendered.get<Service>('Service', name);
      expect(service.spec.selector).toEqual(deployment.spec.selector?.matchLabels);
      expect(service.spec.ports).toHaveLength(1);
      expect(service.spec.ports[0].port).toBe(expected.port);
      expect(resolvePort(container, service.spec.ports[0].targetPort)).toBe(expected.port);
    });

    it('probes liveness, readiness and start-up on routes the app serves, on its HTTP port', () => {
      expect(container.livenessProbe?.httpGet?.path).toBe(LIVENESS_ROUTE);
      expect(container.readinessProbe?.httpGet?.path).toBe(READINESS_ROUTE);
      expect(container.startupProbe?.httpGet?.path).toBe(LIVENESS_ROUTE);
      for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
        expect(KNOWN_ROUTES).toContain(probe?.httpGet?.path);
        expect(resolvePort(container, probe?.httpGet?.port)).toBe(expected.port);
      }
      // The start-up probe gives a slow start a minute before liveness takes over.
      const startup = container.startupProbe ?? {};
      expect((startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3)).toBeGreaterThanOrEqual(60);
    });

    it('gets more time to stop than the drain deadline plus the preStop pause', () => {
      const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
      const drainMs = Number(rendered.environment(container).get('SHUTDOWN_DRAIN_MS')?.value);
      expect(drainMs).toBe(SHUTDOWN_DRAIN_MS);
      expect(grace * 1000).toBeGreaterThan(drainMs + preStopSeconds(container) * 1000);
    });

    it('has CPU and memory requests and limits', () => {
      for (const kind of ['requests', 'limits'] as const) {
        expect(container.resources?.[kind]).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
      }
    });

    it('runs locked down: non-root, read-only root with /tmp on an emptyDir, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
      expect(pod.spec.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.spec.securityContext?.runAsUser).not.toBe(0);
      expect(pod.spec.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(container.securityContext?.capabilities?.drop).toContain('ALL');
      const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
      expect(pod.spec.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
    });

    it('gets every variable it needs, secrets from a Secret', () => {
      const env = rendered.environment(container);
      for (const variable of requiredEnv(expected)) {
        expect({ variable, provided: env.has(variable) }).toEqual({ variable, provided: true });
      }
      for (const variable of SECRET_ENV) expect({ variable, source: env.get(variable)?.source }).toEqual({ variable, source: 'secret' });
      expect(env.get('DB_MIGRATE_ON_START')?.value).toBe('false');
    });

    it(`scales with KEDA on the depth of its queue ${TOPOLOGY_PREFIX}-${expected.name}`, () => {
      const scaledObject = rendered.get<ScaledObject>('ScaledObject', name);
      expect(scaledObject.spec.scaleTargetRef).toMatchObject({ name: deployment.metadata.name });
      expect(scaledObject.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
      expect(scaledObject.spec.maxReplicaCount).toBeGreaterThan(scaledObject.spec.minReplicaCount ?? 0);
      expect(scaledObject.spec.triggers).toHaveLength(1);
      const [trigger] = scaledObject.spec.triggers;
      expect(trigger.type).toBe('aws-sqs-queue');
      const config = rendered.config();
      expect(trigger.metadata.queueURL.split('/').pop()).toBe(`${config.TOPOLOGY_PREFIX}-${expected.name}`);
      expect(trigger.metadata.awsRegion).toBe(config.AWS_REGION);
      expect(Number(trigger.metadata.queueLength)).toBeGreaterThan(0);
      expect(rendered.find('TriggerAuthentication', trigger.authenticationRef?.name ?? '')).toBeDefined();
    });

    it('keeps one pod up during voluntary disruptions', () => {
      const pdb = rendered.get<Pdb>('PodDisruptionBudget', name);
      expect(matches(pdb.spec.selector.matchLabels, pod.metadata?.labels)).toBe(true);
      // Exactly one of the two: the API rejects both, and neither protects nothing.
      expect([pdb.spec.maxUnavailable, pdb.spec.minAvailable].filter((v) => v !== undefined)).toHaveLength(1);
    });

    it('accepts ingress only on its HTTP port', () => {
      const policy = rendered.get<NetworkPolicy>('NetworkPolicy', name);
      expect(matches(policy.spec.podSelector.matchLabels, pod.metadata?.labels)).toBe(true);
      // It selects this service's pods only.
      for (const other of SERVICES.filter((s) => s.name !== expected.name)) {
        const otherPod = rendered.get<Workload>('Deployment', `shop-${other.name}`).spec.template;
        expect(matches(policy.spec.podSelector.matchLabels, otherPod.metadata?.labels)).toBe(false);
      }
      expect(policy.spec.policyTypes).toContain('Ingress');
      const ports = (policy.spec.ingress ?? []).map((rule) => rule.ports ?? []);
      expect(ports.length).toBeGreaterThan(0);
      for (const rulePorts of ports) {
        // A rule without ports would open every port.
        expect(rulePorts).toHaveLength(1);
        expect(resolvePort(container, rulePorts[0].port)).toBe(expected.port);
        expect(rulePorts[0].protocol ?? 'TCP').toBe('TCP');
      }
    });
  });

  it('runs a provision Job: topics and queues first, then migrations, with the service image and lock-down', () => {
    const job = rendered.get<Workload>('Job', 'shop-provision');
    const [container] = job.spec.template.spec.containers;
    const script = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
    const provisionAt = script.indexOf('node dist/tools/provision/main.js');
    expect(provisionAt).toBeGreaterThanOrEqual(0);
    expect(script.indexOf('node dist/tools/migrate/main.js')).toBeGreaterThan(provisionAt);
    expect(script).toMatch(/provision\/main\.js && node/);
    expect(['OnFailure', 'Never']).toContain(job.spec.template.spec.restartPolicy);
    const serviceImages = rendered.all<Workload>('Deployment').map((d) => d.spec.template.spec.containers[0].image);
    expect(serviceImages).toContain(container.image);
    expect(job.spec.template.spec.securityContext?.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    const env = rendered.environment(container);
    for (const variable of ['DATABASE_URL', 'AWS_REGION', 'AWS_ACCOUNT_ID', 'TOPOLOGY_PREFIX']) {
      expect({ variable, provided: env.has(variable) }).toEqual({ variable, provided: true });
    }
    expect(rendered.find('ServiceAccount', job.spec.template.spec.serviceAccountName ?? '')).toBeDefined();
  });

  // Regression: the local overlay's emulator ran with the image's defaults (root, writable root
  // file system, every capability) beside containers that were all locked down.
  it('runs every container of every workload hardened: non-root, RuntimeDefault seccomp, read-only root, no privilege escalation, no capabilities', () => {
    const workloads = [...rendered.all<Workload>('Deployment'), ...rendered.all<Workload>('StatefulSet'), ...rendered.all<Workload>('Job')];
    const weaknesses = workloads.flatMap((workload) => {
      const pod = workload.spec.template.spec;
      return [...pod.containers, ...(pod.initContainers ?? [])].flatMap((container) => {
        const where = `${workload.kind}/${workload.metadata.name} container ${container.name}`;
        const context = container.securityContext ?? {};
        const weak = [
          (context.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true && 'may run as root',
          (context.runAsUser ?? pod.securityContext?.runAsUser) === 0 && 'runs as user 0',
          (context.seccompProfile ?? pod.securityContext?.seccompProfile)?.type !== 'RuntimeDefault' && 'no RuntimeDefault seccomp profile',
          context.readOnlyRootFilesystem !== true && 'writable root file system',
          context.allowPrivilegeEscalation !== false && 'privilege escalation allowed',
          context.privileged === true && 'privileged',
          !context.capabilities?.drop?.includes('ALL') && 'capabilities not dropped',
        ];
        return weak.filter((problem): problem is string => typeof problem === 'string').map((problem) => `${where}: ${problem}`);
      });
    });
    expect(workloads.length).toBeGreaterThan(SERVICES.length);
    expect(weaknesses).toEqual([]);
  });

  it('points every workload at objects that exist in the build', () => {
    for (const workload of [...rendered.all<Workload>('Deployment'), ...rendered.all<Workload>('Job'), ...rendered.all<Workload>('StatefulSet')]) {
      const spec = workload.spec.template.spec;
      if (spec.serviceAccountName) expect(rendered.find('ServiceAccount', spec.serviceAccountName)).toBeDefined();
      for (const container of spec.containers) {
        for (const from of container.envFrom ?? []) {
          if (from.configMapRef) expect(rendered.find('ConfigMap', from.configMapRef.name)).toBeDefined();
          if (from.secretRef) expect(rendered.secretKeys(from.secretRef.name)).toBeDefined();
        }
        expect(container.image).not.toMatch(/:latest$/);
        expect(container.image).toMatch(/:[\w.-]+$/);
      }
    }
  });
});

describe('k8s/overlays/local', () => {
  const rendered = build('local');

  it('runs Postgres and fauxqs in the namespace and points the services at them', () => {
    expect(rendered.find('StatefulSet', 'postgres')).toBeDefined();
    expect(rendered.find('Service', 'postgres')).toBeDefined();
    const fauxqs = rendered.get<Workload>('Deployment', 'fauxqs');
    expect(fauxqs.spec.template.spec.containers[0].image).toMatch(/^kibertoad\/fauxqs:\d+\.\d+\.\d+$/);
    expect(rendered.find('Service', 'fauxqs')).toBeDefined();

    const container = rendered.get<Workload>('Deployment', 'shop-orders').spec.template.spec.containers[0];
    const env = rendered.environment(container);
    expect(new URL(env.get('AWS_ENDPOINT_URL')?.value ?? '').host).toBe('fauxqs:4566');
    expect(env.get('AWS_ACCESS_KEY_ID')?.source).toBe('secret');
    expect(rendered.get<Workload>('Deployment', 'shop-orders').spec.template.spec.containers[0].image).toBe('shop-orders:local');
  });

  it('lets KEDA reach the emulator with the Secret credentials', () => {
    const auth = rendered.get<TriggerAuthentication>('TriggerAuthentication', 'shop-sqs');
    const parameters = auth.spec.secretTargetRef?.map((ref) => ref.parameter).sort();
    expect(parameters).toEqual(['awsAccessKeyID', 'awsSecretAccessKey']);
    for (const ref of auth.spec.secretTargetRef ?? []) expect(rendered.secretKeys(ref.name)).toContain(ref.key);
    for (const scaledObject of rendered.all<ScaledObject>('ScaledObject')) {
      expect(new URL(scaledObject.spec.triggers[0].metadata.awsEndpoint).host).toBe('fauxqs.shop.svc.cluster.local:4566');
    }
  });

  it('annotates no ServiceAccount with an IAM role', () => {
    for (const account of rendered.all('ServiceAccount')) {
      expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBeUndefined();
    }
  });
});

describe('k8s/overlays/aws', () => {
  const rendered = build('aws');

  it('talks to real SNS/SQS: no emulator endpoint and no static AWS keys anywhere', () => {
    for (const deployment of rendered.all<Workload>('Deployment')) {
      const env = rendered.environment(deployment.spec.template.spec.containers[0]);
      for (const variable of EMULATOR_ONLY_ENV) expect({ variable, set: env.has(variable) }).toEqual({ variable, set: false });
    }
    expect(rendered.all('StatefulSet')).toEqual([]);
    for (const scaledObject of rendered.all<ScaledObject>('ScaledObject')) {
      expect(scaledObject.spec.triggers[0].metadata.awsEndpoint).toBeUndefined();
    }
    expect(rendered.all('Secret')).toEqual([]);
  });

  it('gives every service and the provision job its own IAM role through IRSA', () => {
    const roles = new Set<string>();
    for (const workload of [...rendered.all<Workload>('Deployment'), ...rendered.all<Workload>('Job')]) {
      const account = rendered.get('ServiceAccount', workload.spec.template.spec.serviceAccountName ?? '');
      const role = account.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '';
      expect(role).toMatch(/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/);
      roles.add(role);
    }
    expect(roles.size).toBe(APPS.length + 1);
  });

  it('lets KEDA read queue depth with the workload identity', () => {
    const auth = rendered.get<TriggerAuthentication>('TriggerAuthentication', 'shop-sqs');
    expect(auth.spec.podIdentity).toEqual({ provider: 'aws', identityOwner: 'workload' });
    expect(auth.spec.secretTargetRef).toBeUndefined();
  });

  it('syncs DATABASE_URL and OPS_TOKEN from AWS into the shop-secrets Secret', () => {
    expect(rendered.secretKeys('shop-secrets')?.sort()).toEqual([...SECRET_ENV].sort());
  });

  it('pulls images from a registry placeholder, one repository per service, with a fixed tag', () => {
    for (const { name } of SERVICES) {
      const image = rendered.get<Workload>('Deployment', `shop-${name}`).spec.template.spec.containers[0].image;
      expect(image).toMatch(new RegExp(`^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/shop-${name}:[\\w.-]+$`));
    }
  });
});
