import 'reflect-metadata';
import { runService } from '@app/messaging';
import { createPaymentsApp } from './app';

void runService('payments', () => createPaymentsApp(process.env));
