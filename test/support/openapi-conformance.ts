/**
 * Holds a service's OpenAPI document to what its server does: the document is validated with a
 * maintained OpenAPI validator, real responses are checked against the documented status codes and
 * schemas, and the documented input rules are probed on the server in both directions (what the
 * document calls invalid must get a 400; what it calls valid, at its bounds, must not).
 */
import { compileErrors, dereference, validate } from '@readme/openapi-parser';
import OpenAPIResponseValidator from 'openapi-response-validator';
import type { OpenAPIV3 } from 'openapi-types';
import request from 'supertest';

export type Document = OpenAPIV3.Document;
type Operation = OpenAPIV3.OperationObject;
type Schema = OpenAPIV3.SchemaObject;
type Parameter = OpenAPIV3.ParameterObject;
type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
const METHODS: readonly Method[] = ['get', 'put', 'post', 'delete', 'patch'];

/** One real request, in the document's terms: `GET /orders/{id}` with its path parameters filled in. */
export interface ApiCall {
  method: Method;
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  body?: unknown;
}

export const operationKey = (call: Pick<ApiCall, 'method' | 'path'>) => `${call.method.toUpperCase()} ${call.path}`;

type HttpServer = Parameters<typeof request>[0];

export function send(http: HttpServer, call: ApiCall) {
  const url = call.path.replace(/\{(\w+)\}/g, (_match, name: string) => encodeURIComponent(call.params?.[name] ?? ''));
  let test = request(http)[call.method](url);
  if (call.query) test = test.query(call.query);
  for (const [name, value] of Object.entries(call.headers ?? {})) test = test.set(name, value);
  return call.body === undefined ? test : test.send(call.body as object);
}

/** Validation errors of the document (empty when it is valid), by the OpenAPI parser and for undeclared security schemes. */
export async function documentProblems(document: Document): Promise<string[]> {
  const result = await validate(structuredClone(document) as never);
  const problems = result.valid ? [] : [compileErrors(result)];
  const declared = new Set(Object.keys(document.components?.securitySchemes ?? {}));
  for (const [key, operation] of operations(document)) {
    for (const requirement of [...(document.security ?? []), ...(operation.security ?? [])]) {
      for (const scheme of Object.keys(requirement)) if (!declared.has(scheme)) problems.push(`${key}: security scheme "${scheme}" is not declared`);
    }
  }
  return problems;
}

export async function dereferenced(document: Document): Promise<Document> {
  return (await dereference(structuredClone(document) as never)) as unknown as Document;
}

export function operations(document: Document): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item?.[method] ? [[operationKey({ method, path }), item[method] as Operation] as [string, Operation]] : [])),
  );
}

export function operationFor(document: Document, call: Pick<ApiCall, 'method' | 'path'>): Operation | undefined {
  return document.paths[call.path]?.[call.method] as Operation | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Why a real response does not match what the operation documents, or undefined when it does. */
export function responseMismatch(operation: Operation, status: number, body: unknown): string | undefined {
  const responses = operation.responses as Record<string, OpenAPIV3.ResponseObject>;
  if (!(String(status) in responses)) return `answered ${status}, which it does not document (documented: ${Object.keys(responses).join(', ')})`;
  const validator = new OpenAPIResponseValidator({
    // Closed objects: a field the server sends and the document does not mention is a drift too.
    responses: closedObjects(structuredClone(responses)) as never,
    customFormats: { uuid: (value: unknown) => typeof value === 'string' && UUID.test(value), 'date-time': (value: unknown) => typeof value === 'string' && DATE_TIME.test(value) },
  });
  // A response documented without content has no body; supertest shows an empty one as {}.
  const documentedBody = Boolean(responses[String(status)].content);
  const failure = validator.validateResponse(String(status), documentedBody ? body : null);
  return failure ? `answered ${status} with a body the document does not allow: ${JSON.stringify(failure.errors)} (body: ${JSON.stringify(body).slice(0, 500)})` : undefined;
}

/** What a valid call sends that the operation does not document: a parameter the server reads and the document hides. */
export function undocumentedInputs(operation: Operation, call: ApiCall): string[] {
  const parameters = (operation.parameters ?? []) as Parameter[];
  const documented = (where: string, name: string) => parameters.some((parameter) => parameter.in === where && parameter.name.toLowerCase() === name.toLowerCase());
  const missing = [
    ...Object.keys(call.params ?? {}).filter((name) => !documented('path', name)).map((name) => `path parameter ${name}`),
    ...Object.keys(call.query ?? {}).filter((name) => !documented('query', name)).map((name) => `query parameter ${name}`),
    ...Object.keys(call.headers ?? {}).filter((name) => !documented('header', name)).map((name) => `header ${name}`),
  ];
  const body = (operation.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content['application/json']?.schema as Schema | undefined;
  if (call.body !== undefined && !body) missing.push('request body');
  if (body && call.body && typeof call.body === 'object') {
    missing.push(...Object.keys(call.body).filter((name) => !(name in (body.properties ?? {}))).map((name) => `body field ${name}`));
  }
  for (const parameter of parameters) {
    if (parameter.required && parameter.in === 'query' && !(parameter.name in (call.query ?? {}))) missing.push(`(the required query parameter ${parameter.name} is not sent)`);
  }
  return missing;
}

/** The same schemas with every object that lists its properties closed to others. */
function closedObjects<T>(node: T): T {
  if (Array.isArray(node)) node.forEach(closedObjects);
  else if (node && typeof node === 'object') {
    const schema = node as Record<string, unknown>;
    if (schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
    Object.values(schema).forEach(closedObjects);
  }
  return node;
}

export interface Probe {
  /** What the probe changes, e.g. `query customerId of 101 characters (maxLength 100)`. */
  what: string;
  call: ApiCall;
  /** reject: the document calls it invalid, so the server must answer 400; accept: the document allows it. */
  expect: 'reject' | 'accept';
}

/**
 * Requests one change away from a valid call, at the documented bounds of each parameter and body
 * field, and past them. Where the document states no bound, the accept probes go far (a long
 * string, a large or negative number, many items), so a bound the server keeps and the document
 * omits shows up as a 400.
 */
export function probesFor(operation: Operation, valid: ApiCall): Probe[] {
  const probes: Probe[] = [];
  for (const parameter of (operation.parameters ?? []) as Parameter[]) {
    const where = parameter.in as 'path' | 'query' | 'header';
    const bag = where === 'path' ? 'params' : where === 'query' ? 'query' : 'headers';
    const current = (valid[bag] as Record<string, unknown> | undefined) ?? {};
    const present = Object.keys(current).find((name) => (where === 'header' ? name.toLowerCase() === parameter.name.toLowerCase() : name === parameter.name));
    const schema = (parameter.schema ?? {}) as Schema;
    const base = present !== undefined ? current[present] : schema.example;
    const withValue = (value: unknown): ApiCall => ({ ...valid, [bag]: { ...withoutKey(current, present), [parameter.name]: String(value) } });
    if (parameter.required && present !== undefined && where !== 'path') {
      probes.push({ what: `${where} ${parameter.name} left out (required)`, call: { ...valid, [bag]: withoutKey(current, present) }, expect: 'reject' });
    }
    if (base === undefined) continue;
    // An empty path segment is another route, not an empty parameter.
    const sendable = (probe: ValueProbe) => where !== 'path' || String(probe.value) !== '';
    for (const probe of valueProbes(schema, base, where === 'header').filter(sendable)) {
      probes.push({ what: `${where} ${parameter.name} ${probe.what}`, call: withValue(probe.value), expect: probe.expect });
    }
  }
  const body = (operation.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content['application/json']?.schema as Schema | undefined;
  if (body && valid.body !== undefined) {
    for (const probe of bodyProbes(body, valid.body, [])) {
      probes.push({ what: `body ${probe.path.join('.') || '(root)'} ${probe.what}`, call: { ...valid, body: withChange(valid.body, probe.at, probe.value) }, expect: probe.expect });
    }
  }
  return probes;
}

interface ValueProbe {
  what: string;
  value: unknown;
  expect: 'reject' | 'accept';
}

const FAR_STRING_LENGTH = 5000;
const FAR_ARRAY_LENGTH = 300;
const LARGE_INTEGER = 2_147_483_647;

function valueProbes(schema: Schema, base: unknown, inHeader: boolean): ValueProbe[] {
  const probes: ValueProbe[] = [];
  if (schema.enum) {
    probes.push({ what: 'not one of the enum values', value: 'NOT-A-DOCUMENTED-VALUE', expect: 'reject' });
    return probes;
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    const number = Number(base);
    if (schema.type === 'integer') probes.push({ what: 'not an integer', value: number + 0.5, expect: 'reject' });
    else probes.push({ what: 'with a fraction (documented as any number)', value: number + 0.5, expect: 'accept' });
    if (schema.minimum !== undefined) {
      probes.push({ what: `below its minimum ${schema.minimum}`, value: schema.minimum - 1, expect: 'reject' });
      probes.push({ what: `at its minimum ${schema.minimum}`, value: schema.minimum, expect: 'accept' });
    } else probes.push({ what: 'negative (no minimum documented)', value: -1, expect: 'accept' });
    if (schema.maximum !== undefined) {
      probes.push({ what: `above its maximum ${schema.maximum}`, value: schema.maximum + 1, expect: 'reject' });
      probes.push({ what: `at its maximum ${schema.maximum}`, value: schema.maximum, expect: 'accept' });
    } else probes.push({ what: `of ${LARGE_INTEGER} (no maximum documented)`, value: LARGE_INTEGER, expect: 'accept' });
    return probes;
  }
  if (schema.type !== 'string' || typeof base !== 'string') return probes;
  const pattern = schema.pattern ? new RegExp(schema.pattern, 'u') : undefined;
  const allowed = (value: string) => !pattern || pattern.test(value);
  const pad = (length: number) => (length <= base.length ? base.slice(0, length) : base + (base.at(-1) ?? 'a').repeat(length - base.length));
  if (schema.format === 'uuid') probes.push({ what: 'not a UUID', value: 'not-a-uuid', expect: 'reject' });
  if (schema.format === 'date-time') probes.push({ what: 'not a date-time', value: 'not-a-date', expect: 'reject' });
  if (schema.minLength !== undefined && schema.minLength > 0) {
    probes.push({ what: `of ${schema.minLength - 1} characters (minLength ${schema.minLength})`, value: pad(schema.minLength - 1), expect: 'reject' });
  }
  if (schema.maxLength !== undefined) {
    probes.push({ what: `of ${schema.maxLength + 1} characters (maxLength ${schema.maxLength})`, value: pad(schema.maxLength + 1), expect: 'reject' });
    if (allowed(pad(schema.maxLength))) probes.push({ what: `of ${schema.maxLength} characters (its maxLength)`, value: pad(schema.maxLength), expect: 'accept' });
  } else if (!schema.format && allowed(pad(FAR_STRING_LENGTH))) {
    probes.push({ what: `of ${FAR_STRING_LENGTH} characters (no maxLength documented)`, value: pad(FAR_STRING_LENGTH), expect: 'accept' });
  }
  if (pattern) {
    // Values one character away from the valid one; a header cannot carry control characters.
    const candidates = [`${base}\u0000`, `${base.slice(0, 1)} ${base.slice(1)}`, `${base}!`, `${base}\u00e9`, `-${base}`].filter((value) => !inHeader || /^[\x20-\x7e]+$/.test(value));
    const length = (value: string) => (schema.maxLength === undefined || value.length <= schema.maxLength) && value.length >= (schema.minLength ?? 0);
    const violating = candidates.find((value) => !pattern.test(value) && length(value));
    if (violating !== undefined) probes.push({ what: `${JSON.stringify(violating)} (not matching ${schema.pattern})`, value: violating, expect: 'reject' });
  }
  return probes;
}

interface BodyProbe {
  path: (string | number)[];
  what: string;
  /** Where in the body the probe puts its value (OMIT: leaves the field out). */
  at: (string | number)[];
  value: unknown;
  expect: 'reject' | 'accept';
}

const OMIT = Symbol('omit');

/** Probes of each field present in the valid body, one at a time (the first item of an array stands for all). */
function bodyProbes(schema: Schema, value: unknown, path: (string | number)[]): BodyProbe[] {
  const here = (what: string, replacement: unknown, expect: 'reject' | 'accept'): BodyProbe => ({ path, what, at: path, value: replacement, expect });
  if (schema.type === 'object' && value !== null && typeof value === 'object') {
    return (Object.entries(schema.properties ?? {}) as [string, Schema][])
      .filter(([name]) => name in value)
      .flatMap(([name, property]) => [
        ...(schema.required?.includes(name) ? [{ path: [...path, name], what: 'left out (required)', at: [...path, name], value: OMIT, expect: 'reject' as const }] : []),
        ...bodyProbes(property, (value as Record<string, unknown>)[name], [...path, name]),
      ]);
  }
  if (schema.type === 'array' && Array.isArray(value) && value.length > 0) {
    const copies = (count: number) => Array.from({ length: count }, () => structuredClone(value[0]));
    const probes: BodyProbe[] = [];
    if (schema.minItems !== undefined && schema.minItems > 0) probes.push(here(`with ${schema.minItems - 1} items (minItems ${schema.minItems})`, copies(schema.minItems - 1), 'reject'));
    if (schema.maxItems !== undefined) {
      probes.push(here(`with ${schema.maxItems + 1} items (maxItems ${schema.maxItems})`, copies(schema.maxItems + 1), 'reject'));
      probes.push(here(`with ${schema.maxItems} items (its maxItems)`, copies(schema.maxItems), 'accept'));
    } else probes.push(here(`with ${FAR_ARRAY_LENGTH} items (no maxItems documented)`, copies(FAR_ARRAY_LENGTH), 'accept'));
    return [...probes, ...bodyProbes(schema.items as Schema, value[0], [...path, 0])];
  }
  return valueProbes(schema, value, false).map((probe) => here(probe.what, probe.value, probe.expect));
}

function withChange(root: unknown, at: (string | number)[], replacement: unknown): unknown {
  if (at.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = at[at.length - 1];
  if (replacement === OMIT) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

function withoutKey<T extends Record<string, unknown>>(bag: T, key: string | undefined): T {
  if (key === undefined) return bag;
  const { [key]: _removed, ...rest } = bag;
  return rest as T;
}
