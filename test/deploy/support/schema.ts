/**
 * Schema validation of Kubernetes objects, offline: runs validate-k8s.mjs (kubernetes-models,
 * @kubernetes-models/keda, @kubernetes-models/external-secrets) in a child Node process.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface SchemaResult {
  kind: string;
  name: string;
  errors: string[];
}

export function validateAgainstSchemas(objects: readonly unknown[]): SchemaResult[] {
  const output = execFileSync(process.execPath, [join(__dirname, 'validate-k8s.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output) as SchemaResult[];
}

/** "Kind/name: message" for every object that failed, empty when all passed. */
export function schemaFailures(results: readonly SchemaResult[]): string[] {
  return results.flatMap((result) => result.errors.map((error) => `${result.kind}/${result.name}: ${error}`));
}
