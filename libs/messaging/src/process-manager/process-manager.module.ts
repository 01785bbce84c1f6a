import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { INSTANCE_STORE, ProcessManagerHost, TIMEOUT_SCHEDULER } from './process-manager-host';
import { ProcessManagers } from './process-managers';
import { PostgresInstanceStore } from './postgres-instance-store';
import { OutboxTimeoutScheduler } from './outbox-timeout-scheduler';

/**
 * Runs the service's ProcessManager providers. Import it next to MessagingModule (whose consumer,
 * outbox and data source it uses) and list the process managers as ordinary providers:
 *
 *   imports: [MessagingModule.forRoot(...), ProcessManagerModule],
 *   providers: [PaymentDeadlineProcess],
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    ProcessManagerHost,
    ProcessManagers,
    { provide: INSTANCE_STORE, useClass: PostgresInstanceStore },
    { provide: TIMEOUT_SCHEDULER, useClass: OutboxTimeoutScheduler },
  ],
  exports: [ProcessManagers],
})
export class ProcessManagerModule {}
