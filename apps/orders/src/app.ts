import { createServiceApp } from '@app/messaging';
import type { INestApplication } from '@nestjs/common';
import { loadOrdersConfig } from './orders.config';
import { OrdersModule } from './orders.module';

export async function createOrdersApp(env: NodeJS.ProcessEnv = process.env): Promise<{ app: INestApplication; port: number }> {
  const config = loadOrdersConfig(env);
  const app = await createServiceApp(OrdersModule.forRoot(config), { title: 'orders', description: 'Places orders and follows them to their end state' });
  return { app, port: config.port };
}
