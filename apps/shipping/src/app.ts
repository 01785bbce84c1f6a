import { createServiceApp } from '@app/messaging';
import type { INestApplication } from '@nestjs/common';
import { loadShippingConfig } from './shipping.config';
import { ShippingModule } from './shipping.module';

export async function createShippingApp(env: NodeJS.ProcessEnv = process.env): Promise<{ app: INestApplication; port: number }> {
  const config = loadShippingConfig(env);
  const app = await createServiceApp(ShippingModule.forRoot(config), { title: 'shipping', description: 'Dispatches one shipment per paid order' });
  return { app, port: config.port };
}
