import 'reflect-metadata';
import { runService } from '@app/messaging';
import { createNotificationsApp } from './app';

void runService(() => createNotificationsApp(process.env));
