import 'reflect-metadata';
import { runService } from '@app/messaging';
import { createOrdersApp } from './app';

void runService('orders', () => createOrdersApp(process.env));
