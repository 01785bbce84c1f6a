import type { ServiceDatabase, ServiceTopology } from '@app/messaging';
import { ordersDatabase } from '../apps/orders/src/orders.module';
import { ordersTopology } from '../apps/orders/src/orders.topology';
import { paymentsDatabase } from '../apps/payments/src/payments.module';
import { paymentsTopology } from '../apps/payments/src/payments.topology';

export interface ServiceEntry {
  name: string;
  defaultPort: number;
  topology: ServiceTopology;
  database: ServiceDatabase;
  /** Compiled entry point, relative to the repository root. */
  main: string;
}

/** Every service of the shop: what provisioning, migrations and the local stack iterate over. */
export const services: readonly ServiceEntry[] = [
  { name: 'orders', defaultPort: 3001, topology: ordersTopology, database: ordersDatabase, main: 'dist/apps/orders/src/main.js' },
  { name: 'payments', defaultPort: 3003, topology: paymentsTopology, database: paymentsDatabase, main: 'dist/apps/payments/src/main.js' },
];
