import 'reflect-metadata';
import { runService } from '@app/messaging';
import { createNotificationsApp } from './app';

void runService('notifications', () => createNotificationsApp(process.env));
