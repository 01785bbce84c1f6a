/**
 * Whether a consumer written against a published payload schema still accepts what the current
 * schema allows a producer to send, on the JSON Schemas zod produces. What breaks a consumer: a
 * field it reads removed or retyped, a field made required that old producers never sent, a new
 * enum value it does not know. Adding an optional field does not.
 */
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  format?: string;
};

export function incompatibilities(published: Schema, current: Schema, path = ''): string[] {
  const at = path || '(payload)';
  const problems: string[] = [];
  const before = typeOf(published);
  const after = typeOf(current);
  if (before && after && before !== after) return [`${at}: retyped from ${before} to ${after}`];
  if (published.format && current.format && published.format !== current.format) problems.push(`${at}: format changed from ${published.format} to ${current.format}`);
  if (published.enum && current.enum) {
    const added = current.enum.filter((value) => !published.enum?.includes(value));
    if (added.length > 0) problems.push(`${at}: new value${added.length > 1 ? 's' : ''} ${added.map((value) => JSON.stringify(value)).join(', ')} that consumers of the published version reject`);
  }
  if (published.const !== undefined && current.const !== published.const) problems.push(`${at}: constant changed from ${JSON.stringify(published.const)} to ${JSON.stringify(current.const)}`);
  const oldProps = published.properties ?? {};
  const newProps = current.properties ?? {};
  for (const name of Object.keys(oldProps)) {
    const field = path ? `${path}.${name}` : name;
    if (!(name in newProps)) problems.push(`${field}: removed`);
    else problems.push(...incompatibilities(oldProps[name], newProps[name], field));
  }
  const wasRequired = new Set(published.required ?? []);
  for (const name of current.required ?? []) {
    if (!wasRequired.has(name)) problems.push(`${path ? `${path}.${name}` : name}: ${name in oldProps ? 'made required' : 'new required field'}`);
  }
  if (published.items && current.items) problems.push(...incompatibilities(published.items, current.items, `${path}[]`));
  return problems;
}

function typeOf(schema: Schema): string | undefined {
  if (Array.isArray(schema.type)) return [...schema.type].sort().join('|');
  return schema.type;
}

/** The message `npm test` fails with: which contract, why, and what to do instead. */
export function incompatibleContractMessage(type: string, problems: readonly string[]): string {
  const next = type.replace(/\.v(\d+)$/, (_match, version: string) => `.v${Number(version) + 1}`);
  return [
    `Contract ${type} changed incompatibly with its published version:`,
    ...problems.map((problem) => `  - ${problem}`),
    `Consumers deployed against ${type} would dead-letter or misread these events. Keep ${type} as it was published and`,
    `publish a new version instead: add a contract of type ${next} beside it, let consumers handle both, then switch the`,
    `producer (README, "Evolving a contract"). The published schema is tools/contracts/published/${type}.json.`,
  ].join('\n');
}
