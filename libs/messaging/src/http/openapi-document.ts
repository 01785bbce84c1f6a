import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CORRELATION_ID_RULE, CORRELATION_ID_SCHEMA } from '../context/message-context';
import { DATABASE_OUTAGE_RETRY_AFTER_SECONDS } from './database-outage.filter';

/** How the operator routes are marked (`@ApiBearerAuth()`, `@ApiTags('admin')` on the admin controller). */
const OPS_TOKEN_SCHEME = 'bearer';
const OPERATOR_TAG = 'admin';

const ERROR_SCHEMA = 'ErrorResponse';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
const BODY_METHODS = new Set<string>(['put', 'post', 'patch']);

export interface OpenApiDocumentOptions {
  title: string;
  description?: string;
  bodyLimit: string;
}

/**
 * The OpenAPI document of a service, saying what the server does rather than what the decorators
 * happen to mention: the answers every route can give because of the library around it (400 from
 * validation, 413 over the body limit, 503 while the database is away), each with Nest's error body.
 *
 * It documents the service's own API. The operator routes under /admin are left out: they exist
 * only where OPS_TOKEN is set (404 elsewhere), serve the operations console and CLI, and are
 * described with the operations (README, Operations); a document listing them would promise routes
 * that most deployments do not have.
 */
export function createOpenApiDocument(app: INestApplication, options: OpenApiDocumentOptions): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description ?? '')
    .addGlobalParameters({
      in: 'header',
      name: 'x-correlation-id',
      required: false,
      description: `Follows this request through every event, record and log line it causes: ${CORRELATION_ID_RULE} (anything else is a 400). Made up when absent or empty; echoed on the response.`,
      schema: { ...CORRELATION_ID_SCHEMA, example: 'checkout-7f3a' },
    });
  const document = SwaggerModule.createDocument(app, builder.build());
  document.components = { ...document.components, schemas: { ...document.components?.schemas, [ERROR_SCHEMA]: errorSchema() } };

  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const forOperators = (operation.security ?? []).some((requirement) => OPS_TOKEN_SCHEME in requirement) || (operation.tags ?? []).includes(OPERATOR_TAG);
      if (forOperators) {
        delete item[method];
        continue;
      }
      addLibraryResponses(operation, method, options.bodyLimit);
    }
    if (!METHODS.some((method) => item[method])) delete document.paths[path];
  }
  return document;
}

function addLibraryResponses(operation: OperationObject, method: string, bodyLimit: string): void {
  const responses = operation.responses as Record<string, ResponseObject>;
  const takesInput = Boolean(operation.requestBody) || (operation.parameters ?? []).some((parameter) => 'in' in parameter && parameter.name !== 'x-correlation-id');
  const add = (status: string, description: string, extra: Partial<ResponseObject> = {}) => {
    responses[status] ??= { description, ...extra };
  };
  if (takesInput) add('400', 'Invalid input; the message names each offending field');
  if (BODY_METHODS.has(method)) add('413', `Request body over the limit (HTTP_BODY_LIMIT, ${bodyLimit})`);
  add('503', 'The database is unreachable; retry after the seconds given', {
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', example: DATABASE_OUTAGE_RETRY_AFTER_SECONDS } } },
  });
  for (const [status, response] of Object.entries(responses)) {
    // Every error answer has Nest's error body; a description alone would say it has none.
    if (Number(status) >= 400 && !response.content) response.content = { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` } } };
  }
}

function errorSchema(): SchemaObject {
  return {
    type: 'object',
    required: ['statusCode', 'message'],
    properties: {
      statusCode: { type: 'integer', example: 400 },
      message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: ['customerId must be shorter than or equal to 100 characters'] },
      error: { type: 'string', example: 'Bad Request' },
    },
  };
}
