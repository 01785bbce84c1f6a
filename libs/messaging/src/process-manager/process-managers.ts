import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Outbox } from '../outbox/outbox';
import type { ProcessManager } from './process-manager';
import { ProcessManagerHost } from './process-manager-host';
import type { CompletedInstancePolicy } from './process-routes';
import type { StepReport, StepUnit } from './process-runner';
import type { ProcessStep } from './process-step';

/**
 * Starts process-manager instances from a use case rather than from an event, e.g. a deadline set
 * in the transaction that places the order:
 *
 *   await this.processes.start(manager, this.paymentDeadline, order.id, (step) => {
 *     step.requestTimeout(PaymentDue, { orderId: order.id }, { at: order.paymentDueAt });
 *   });
 *
 * The step is the same as an event handler's: it holds the instance's row lock and saves the
 * state, the published events and the timeouts in the caller's transaction.
 */
@Injectable()
export class ProcessManagers {
  constructor(
    private readonly host: ProcessManagerHost,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Runs `body` on the instance of `process` for `key`, creating it when there is none; on a running
   * instance it runs on that one. A completed one is left alone unless `ifCompleted` is `restart`.
   * MUST be called inside the caller's open transaction.
   */
  start<S extends object>(
    manager: EntityManager,
    process: ProcessManager<S>,
    key: string,
    body: (step: ProcessStep<S>) => Promise<void> | void,
    options: { ifCompleted?: CompletedInstancePolicy } = {},
  ): Promise<StepReport> {
    const unit: StepUnit = { manager, publish: (contract, data, publishOptions) => this.outbox.publish(manager, contract, data, publishOptions) };
    return this.host.runner.start(unit, process, key, body, options.ifCompleted);
  }
}
