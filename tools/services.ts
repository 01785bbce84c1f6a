import type { ServiceDatabase, ServiceTopology } from '@app/messaging';
import { billingDatabase } from '../apps/billing/src/billing.module';
import { billingTopology } from '../apps/billing/src/billing.topology';
import { inventoryDatabase } from '../apps/inventory/src/inventory.module';
import { inventoryTopology } from '../apps/inventory/src/inventory.topology';
import { notificationsDatabase } from '../apps/notifications/src/notifications.module';
import { notificationsTopology } from '../apps/notifications/src/notifications.topology';
import { ordersDatabase } from '../apps/orders/src/orders.module';
import { ordersTopology } from '../apps/orders/src/orders.topology';
import { paymentsDatabase } from '../apps/payments/src/payments.module';
import { paymentsTopology } from '../apps/payments/src/payments.topology';
import { shippingDatabase } from '../apps/shipping/src/shipping.module';
import { shippingTopology } from '../apps/shipping/src/shipping.topology';

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
  { name: 'inventory', defaultPort: 3002, topology: inventoryTopology, database: inventoryDatabase, main: 'dist/apps/inventory/src/main.js' },
  { name: 'payments', defaultPort: 3003, topology: paymentsTopology, database: paymentsDatabase, main: 'dist/apps/payments/src/main.js' },
  { name: 'billing', defaultPort: 3004, topology: billingTopology, database: billingDatabase, main: 'dist/apps/billing/src/main.js' },
  { name: 'shipping', defaultPort: 3005, topology: shippingTopology, database: shippingDatabase, main: 'dist/apps/shipping/src/main.js' },
  { name: 'notifications', defaultPort: 3006, topology: notificationsTopology, database: notificationsDatabase, main: 'dist/apps/notifications/src/main.js' },
];

/** The operations console: not a messaging service (no topology, no queue), started beside them. */
export const operationsConsole = { name: 'console', defaultPort: 3000, main: 'dist/apps/console/src/main.js' } as const;
