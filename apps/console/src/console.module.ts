import { createSqsClient } from '@app/messaging';
import type { QueueOps } from '@app/operations';
import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { AuditController } from './audit/audit.controller';
import { AuditLog } from './audit/audit-log';
import { AssetsController } from './auth/assets.controller';
import { AUTHENTICATOR, TokenAuthenticator } from './auth/authenticator';
import { CsrfTokens } from './auth/csrf';
import { LoginController } from './auth/login.controller';
import { LoginRequiredFilter } from './auth/login-required.filter';
import { SessionGuard } from './auth/session.guard';
import { CONSOLE_CONFIG, type ConsoleConfig } from './console.config';
import { CONSOLE_DATABASE } from './console-database';
import { CatalogController } from './catalog/catalog.controller';
import { ArchivedFailures } from './failures/archived-failures';
import { FailureBrowser } from './failures/failure-browser';
import { FailuresController } from './failures/failures.controller';
import { Jobs } from './failures/jobs';
import { FlowBuilder } from './flow/flow-builder';
import { FlowController } from './flow/flow.controller';
import { ConsoleHealthController } from './health.controller';
import { OutboxController } from './outbox/outbox.controller';
import { OverviewController } from './overview/overview.controller';
import { ServiceStatusReader } from './overview/service-status';
import { AdminClient } from './system/admin-client';
import { QUEUE_OPS } from './system/queue-ops';
import { CONSOLE_DIRECTORY, serviceDirectory, type ConsoleService } from './system/service-directory';
import { HtmlInterceptor } from './views/html.interceptor';
import { ConsolePages } from './views/console-pages';

export interface ConsoleModuleOptions {
  config: ConsoleConfig;
  services: readonly ConsoleService[];
  database: DataSource;
}

/** The operations console: server-rendered pages over the services' admin APIs and SQS. */
@Module({})
export class ConsoleModule implements OnApplicationShutdown {
  constructor(
    @Inject(QUEUE_OPS) private readonly queues: QueueOps,
    @Inject(CONSOLE_DATABASE) private readonly database: DataSource,
  ) {}

  static forRoot({ config, services, database }: ConsoleModuleOptions): DynamicModule {
    const queues: QueueOps = { config: { topologyPrefix: config.messaging.topologyPrefix }, services, sqs: createSqsClient(config.messaging.aws) };
    return {
      module: ConsoleModule,
      controllers: [LoginController, AssetsController, ConsoleHealthController, OverviewController, FailuresController, FlowController, CatalogController, OutboxController, AuditController],
      providers: [
        { provide: CONSOLE_CONFIG, useValue: config },
        { provide: CONSOLE_DIRECTORY, useValue: serviceDirectory(services, config.serviceUrls) },
        { provide: QUEUE_OPS, useValue: queues },
        { provide: CONSOLE_DATABASE, useValue: database },
        { provide: AUTHENTICATOR, useValue: new TokenAuthenticator(config.operatorToken, config.readerToken) },
        { provide: APP_GUARD, useClass: SessionGuard },
        { provide: APP_INTERCEPTOR, useClass: HtmlInterceptor },
        { provide: APP_FILTER, useClass: LoginRequiredFilter },
        CsrfTokens,
        ConsolePages,
        AuditLog,
        AdminClient,
        ServiceStatusReader,
        ArchivedFailures,
        FailureBrowser,
        Jobs,
        FlowBuilder,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.queues.sqs.destroy();
    if (this.database.isInitialized) await this.database.destroy();
  }
}
