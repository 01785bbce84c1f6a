/**
 * Runs a real `kustomize build` on an overlay and returns the objects it renders.
 *
 * Kustomize is a Go program: neither the npm registry nor Debian bookworm ships it as a package
 * (kubectl bundles it as `kubectl kustomize`, and Debian's own kubectl is too old for components).
 * The machines this project builds on have a current kubectl preinstalled, so the build uses, in
 * order: $KUSTOMIZE (path to a kustomize binary), `kustomize` on PATH, `kubectl kustomize`.
 * A missing or too old kustomize fails the tests with instructions; it is never skipped.
 */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface KustomizeTool {
  command: string;
  prefixArgs: string[];
  version: string;
}

/** Components, `labels`, replacements and generators-before-components need kustomize 5.1 or later. */
const MINIMUM_VERSION: readonly [number, number] = [5, 1];

let cached: KustomizeTool | undefined;

function tryRun(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch {
    return undefined;
  }
}

function parseVersion(text: string): [number, number] | undefined {
  const match = /v?(\d+)\.(\d+)\.\d+/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function kustomizeTool(): KustomizeTool {
  if (cached) return cached;
  const candidates: KustomizeTool[] = [];
  for (const command of [process.env.KUSTOMIZE, 'kustomize'].filter((c): c is string => Boolean(c))) {
    const out = tryRun(command, ['version']);
    if (out !== undefined) candidates.push({ command, prefixArgs: ['build'], version: out.trim() });
  }
  const kubectl = tryRun('kubectl', ['version', '--client', '-o', 'json']);
  if (kubectl !== undefined) {
    const info = JSON.parse(kubectl) as { kustomizeVersion?: string };
    if (info.kustomizeVersion) candidates.push({ command: 'kubectl', prefixArgs: ['kustomize'], version: info.kustomizeVersion });
  }
  const usable = candidates.find((tool) => {
    const version = parseVersion(tool.version);
    return version !== undefined && (version[0] > MINIMUM_VERSION[0] || (version[0] === MINIMUM_VERSION[0] && version[1] >= MINIMUM_VERSION[1]));
  });
  if (!usable) {
    const found = candidates.map((tool) => `${tool.command} (${tool.version})`).join(', ') || 'none';
    throw new Error(
      `kustomize ${MINIMUM_VERSION.join('.')} or later is needed to build k8s/ (found: ${found}). ` +
        'Install kubectl 1.31+ or a kustomize binary, or point $KUSTOMIZE at one.',
    );
  }
  cached = usable;
  return usable;
}

/** The objects `kustomize build <directory>` renders, in its output order. */
export function kustomizeBuild(directory: string): K8sObject[] {
  const tool = kustomizeTool();
  const output = execFileSync(tool.command, [...tool.prefixArgs, directory], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const documents = parseAllDocuments(output);
  if (!Array.isArray(documents)) throw new Error('kustomize printed no YAML documents');
  return documents.map((document) => {
    if (document.errors.length > 0) throw new Error(`kustomize output is not valid YAML: ${document.errors[0].message}`);
    return document.toJS() as K8sObject;
  });
}
