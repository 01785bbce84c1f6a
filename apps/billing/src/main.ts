import 'reflect-metadata';
import { runService } from '@app/messaging';
import { createBillingApp } from './app';

void runService('billing', () => createBillingApp(process.env));
