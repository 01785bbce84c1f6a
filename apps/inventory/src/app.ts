import { createServiceApp } from '@app/messaging';
import type { INestApplication } from '@nestjs/common';
import { loadInventoryConfig } from './inventory.config';
import { InventoryModule } from './inventory.module';

export async function createInventoryApp(env: NodeJS.ProcessEnv = process.env): Promise<{ app: INestApplication; port: number }> {
  const config = loadInventoryConfig(env);
  const app = await createServiceApp(InventoryModule.forRoot(config), { title: 'inventory', description: 'Keeps stock per SKU and holds it for orders until they are paid' });
  return { app, port: config.port };
}
