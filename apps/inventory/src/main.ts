import 'reflect-metadata';
import { runService } from '@app/messaging';
import { createInventoryApp } from './app';

void runService('inventory', () => createInventoryApp(process.env));
