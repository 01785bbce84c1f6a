import { ScheduledJob, type ScheduledRun } from '@app/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { ORDERS_CONFIG, type OrdersConfig } from '../orders.config';

/**
 * Forgets Idempotency-Keys once clients can no longer be retrying with them, so the table does not
 * grow for ever. A key sent again after that places a new order, as documented for the header.
 */
@Injectable()
export class IdempotencyKeyPurgeJob extends ScheduledJob {
  readonly name = 'idempotency-key-purge';
  readonly intervalMs = 60 * 60 * 1000;

  constructor(@Inject(ORDERS_CONFIG) private readonly config: OrdersConfig) {
    super();
  }

  async run(run: ScheduledRun): Promise<void> {
    await run.manager.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [this.config.idempotencyKeyRetentionHours]);
  }
}
