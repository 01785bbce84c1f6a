/**
 * The environment a container of a rendered build starts with, and where each variable comes from:
 * its own `env`, a ConfigMap, or a Secret (its value when the Secret is in the build, as the local
 * overlay's generated one is; none when a secret store fills it at run time, as an ExternalSecret).
 */
import type { K8sObject } from './kustomize';

export interface EnvSource {
  source: 'value' | 'configmap' | 'secret';
  value?: string;
}

export interface EnvContainer {
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
}

type ConfigMap = K8sObject & { data?: Record<string, string> };
type Secret = K8sObject & { data?: Record<string, string>; stringData?: Record<string, string> };
type ExternalSecret = K8sObject & { spec: { target?: { name?: string }; data?: { secretKey: string }[] } };

const named = <T extends K8sObject>(objects: readonly K8sObject[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name) as T | undefined;

/** The values a Secret named so will hold: decoded from a Secret in the build, unknown (undefined) for an ExternalSecret's target. */
export function secretValues(objects: readonly K8sObject[], name: string): Map<string, string | undefined> | undefined {
  const secret = named<Secret>(objects, 'Secret', name);
  if (secret) {
    const decoded = Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')] as const);
    return new Map([...decoded, ...Object.entries(secret.stringData ?? {})]);
  }
  const external = objects.find((object) => object.kind === 'ExternalSecret' && ((object as ExternalSecret).spec.target?.name ?? object.metadata.name) === name) as
    | ExternalSecret
    | undefined;
  return external ? new Map(external.spec.data?.map((entry) => [entry.secretKey, undefined])) : undefined;
}

export function containerEnvironment(objects: readonly K8sObject[], container: EnvContainer): Map<string, EnvSource> {
  const configMap = (name: string) => {
    const found = named<ConfigMap>(objects, 'ConfigMap', name);
    if (!found) throw new Error(`no ConfigMap/${name} in the build`);
    return found.data ?? {};
  };
  const secret = (name: string) => {
    const values = secretValues(objects, name);
    if (!values) throw new Error(`envFrom names a Secret that nothing provides: ${name}`);
    return values;
  };
  const env = new Map<string, EnvSource>();
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) for (const [key, value] of Object.entries(configMap(from.configMapRef.name))) env.set(key, { source: 'configmap', value });
    if (from.secretRef) for (const [key, value] of secret(from.secretRef.name)) env.set(key, { source: 'secret', value });
  }
  for (const variable of container.env ?? []) {
    const { secretKeyRef, configMapKeyRef } = variable.valueFrom ?? {};
    if (secretKeyRef) env.set(variable.name, { source: 'secret', value: secret(secretKeyRef.name).get(secretKeyRef.key) });
    else if (configMapKeyRef) env.set(variable.name, { source: 'configmap', value: configMap(configMapKeyRef.name)[configMapKeyRef.key] });
    else env.set(variable.name, { source: 'value', value: variable.value });
  }
  return env;
}
