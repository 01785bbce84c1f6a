import { createServiceApp } from '@app/messaging';
import type { INestApplication } from '@nestjs/common';
import { loadPaymentsConfig } from './payments.config';
import { PaymentsModule } from './payments.module';

export async function createPaymentsApp(env: NodeJS.ProcessEnv = process.env): Promise<{ app: INestApplication; port: number }> {
  const config = loadPaymentsConfig(env);
  const app = await createServiceApp(PaymentsModule.forRoot(config), { title: 'payments', description: 'Charges orders through a simulated provider' });
  return { app, port: config.port };
}
