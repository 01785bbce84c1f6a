import { createServiceApp } from '@app/messaging';
import type { INestApplication } from '@nestjs/common';
import { loadBillingConfig } from './billing.config';
import { BillingModule } from './billing.module';

export async function createBillingApp(env: NodeJS.ProcessEnv = process.env): Promise<{ app: INestApplication; port: number }> {
  const config = loadBillingConfig(env);
  const app = await createServiceApp(BillingModule.forRoot(config), { title: 'billing', description: 'Issues one invoice per paid order, numbered without gaps' });
  return { app, port: config.port };
}
