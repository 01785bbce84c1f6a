import { ValidationPipe, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { ConfigurationError } from './config/load-config';
import { DatabaseOutage } from './consumer/database-outage';
import { EventHandlersServer } from './consumer/event-handlers.server';
import { CorrelationMiddleware } from './http/correlation.middleware';
import { DatabaseOutageFilter } from './http/database-outage.filter';
import { createOpenApiDocument } from './http/openapi-document';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { startTracing } from './tracing/tracing-sdk';

export interface ServiceAppOptions {
  /** Title of the OpenAPI document at /docs. */
  title: string;
  description?: string;
}

/**
 * Builds a service app the same way for `main.ts` and for tests: JSON logs, correlation on every
 * request, validation that answers 400 naming the fields, 503 with Retry-After while the database is
 * unreachable, OpenAPI at /docs, graceful shutdown, and the event handlers connected as a Nest
 * microservice. The caller decides whether to listen.
 */
export async function createServiceApp(module: Type | DynamicModule, options: ServiceAppOptions): Promise<INestApplication> {
  // Body parsing is configured below, with the configured size limit (over it: 413).
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true, abortOnError: false, bodyParser: false });
  app.useLogger(app.get(Logger));
  const { config } = app.get<MessagingOptions>(MESSAGING_OPTIONS);
  app.useBodyParser('json', { limit: config.http.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimit, extended: true });
  const correlation = new CorrelationMiddleware();
  app.use(correlation.use.bind(correlation));
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new DatabaseOutageFilter(app.get(HttpAdapterHost).httpAdapter, app.get(DatabaseOutage)));
  app.enableShutdownHooks();

  const document = createOpenApiDocument(app, { ...options, bodyLimit: config.http.bodyLimit });
  SwaggerModule.setup('docs', app, document);

  app.connectMicroservice({ strategy: app.get(EventHandlersServer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  return app;
}

/** Starts a service: builds it, listens on its port, says where. A start-up error ends the process. */
export async function runService(service: string, build: () => Promise<{ app: INestApplication; port: number }>): Promise<void> {
  const stopTracing = startTracing(service);
  try {
    const { app, port } = await build();
    const { config } = app.get<MessagingOptions>(MESSAGING_OPTIONS);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      // Nest drains on the signal; this is the backstop if something hangs past the deadline.
      process.once(signal, () => setTimeout(() => process.exit(1), config.shutdownDrainMs + 5000).unref());
    }
    app.get(Logger).log(`Tracing ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? `to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}` : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT)'}`);
    process.once('beforeExit', () => void stopTracing());
    await app.listen(port);
    app.get(Logger).log(`Listening on http://localhost:${port} (docs at /docs, health at /health/ready)`);
  } catch (error) {
    // A configuration error is for a person to read: the message names the variables, a stack adds nothing.
    console.error(error instanceof ConfigurationError ? error.message : error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  }
}
