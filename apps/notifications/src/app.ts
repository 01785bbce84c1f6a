import { createServiceApp } from '@app/messaging';
import type { INestApplication } from '@nestjs/common';
import { loadNotificationsConfig } from './notifications.config';
import { NotificationsModule } from './notifications.module';

export async function createNotificationsApp(env: NodeJS.ProcessEnv = process.env): Promise<{ app: INestApplication; port: number }> {
  const config = loadNotificationsConfig(env);
  const app = await createServiceApp(NotificationsModule.forRoot(config), { title: 'notifications', description: 'Records the messages customers would be sent' });
  return { app, port: config.port };
}
