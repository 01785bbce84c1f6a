import { ConsoleLogger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieSession from 'cookie-session';
import helmet from 'helmet';
import { createHmac } from 'node:crypto';
import { CsrfTokens } from './auth/csrf';
import { loadConsoleConfig } from './console.config';
import { openConsoleDatabase } from './console-database';
import { ConsoleModule } from './console.module';
import type { ConsoleService } from './system/service-directory';

const SESSION_HOURS = 8;

/** Builds the console the same way for `main.ts` and for tests; the caller decides whether to listen. */
export async function createConsoleApp(env: NodeJS.ProcessEnv, services: readonly ConsoleService[]): Promise<{ app: INestApplication; port: number }> {
  const config = loadConsoleConfig(env);
  const database = await openConsoleDatabase(config.messaging.database);
  const app = await NestFactory.create<NestExpressApplication>(ConsoleModule.forRoot({ config, services, database }), {
    logger: new ConsoleLogger({ json: true, prefix: 'console', logLevels: config.messaging.logLevel === 'silent' ? [] : ['log', 'warn', 'error', 'fatal'] }),
    abortOnError: false,
    // Parsers are added below, before the session and CSRF middleware that read the body.
    bodyParser: false,
  });
  app.disable('x-powered-by');
  // Its own origin only: no framing (clickjacking an operator's retry button), no foreign scripts.
  app.use(helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'frame-ancestors': ["'none'"] } } }));
  app.useBodyParser('urlencoded', { limit: '256kb', extended: false });
  app.useBodyParser('json', { limit: '256kb' });
  app.use(
    cookieSession({
      name: 'console_session',
      keys: [config.sessionSecret ?? createHmac('sha256', config.operatorToken).update('console-session').digest('hex')],
      httpOnly: true,
      sameSite: 'strict',
      secure: config.secureCookie,
      maxAge: SESSION_HOURS * 3600 * 1000,
    }),
  );
  app.use(app.get(CsrfTokens).protection);
  app.enableShutdownHooks();
  return { app, port: config.port };
}
