// Validates Kubernetes objects against the OpenAPI schemas bundled in the kubernetes-models
// packages (core API, KEDA's CRDs, External Secrets' CRDs), offline.
//
// Those packages are ES modules only, which Jest's CommonJS runtime cannot load, so the tests run
// this script in a child Node process: objects as a JSON array on stdin, one result per object as
// a JSON array on stdout: { kind, name, errors: string[] }.
import process from 'node:process';

/** API group -> the package whose models (one export per kind) validate it. */
const PACKAGES = {
  '': 'kubernetes-models',
  apps: 'kubernetes-models',
  batch: 'kubernetes-models',
  policy: 'kubernetes-models',
  autoscaling: 'kubernetes-models',
  'networking.k8s.io': 'kubernetes-models',
  'rbac.authorization.k8s.io': 'kubernetes-models',
  'keda.sh': '@kubernetes-models/keda',
  'external-secrets.io': '@kubernetes-models/external-secrets',
};

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = PACKAGES[group];
  if (!pkg) throw new Error(`no schema known for apiVersion ${apiVersion}`);
  const path = group === '' ? `${pkg}/${version}` : `${pkg}/${group}/${version}`;
  let models;
  try {
    models = await import(path);
  } catch {
    throw new Error(`no schema for apiVersion ${apiVersion}`);
  }
  const model = models[kind];
  if (typeof model !== 'function') throw new Error(`no schema for ${kind} in ${apiVersion}`);
  return model;
}

async function validate(object) {
  const result = { kind: object?.kind ?? '?', name: object?.metadata?.name ?? '?', errors: [] };
  try {
    if (typeof object?.apiVersion !== 'string' || typeof object?.kind !== 'string') throw new Error('apiVersion and kind are required');
    const Model = await modelFor(object.apiVersion, object.kind);
    new Model(object).validate();
  } catch (error) {
    result.errors.push(error instanceof Error ? error.message : String(error));
  }
  return result;
}

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const object of JSON.parse(input)) results.push(await validate(object));
process.stdout.write(JSON.stringify(results));
