import 'reflect-metadata';
import { runService } from '@app/messaging';
import { createShippingApp } from './app';

void runService('shipping', () => createShippingApp(process.env));
