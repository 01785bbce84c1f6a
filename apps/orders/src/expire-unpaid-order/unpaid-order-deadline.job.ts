import { ScheduledJob, type ScheduledRun } from '@app/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { ORDERS_CONFIG, type OrdersConfig } from '../orders.config';
import { expireUnpaidOrder } from './expire-unpaid-order';

/** At most this many orders per run; a bigger backlog drains over the following intervals. */
const BATCH = 200;

/**
 * Finds the orders whose payment deadline has passed (orders database clock) and lets
 * expireUnpaidOrder decide each. Runs once per interval across all replicas; each cancellation is
 * announced with the correlation id of the order, so its story stays in one trace.
 */
@Injectable()
export class UnpaidOrderDeadlineJob extends ScheduledJob {
  readonly name = 'unpaid-order-deadline';
  readonly intervalMs: number;

  constructor(@Inject(ORDERS_CONFIG) config: OrdersConfig) {
    super();
    this.intervalMs = config.deadlineCheckIntervalMs;
  }

  async run(run: ScheduledRun): Promise<void> {
    // SKIP LOCKED: an order a handler is deciding right now is left to it (it sees the deadline too).
    const due: { id: string; correlation_id: string }[] = await run.manager.query(
      `SELECT id, correlation_id FROM orders
       WHERE status IN ('PLACED', 'AWAITING_PAYMENT') AND payment_deadline <= clock_timestamp()
       ORDER BY payment_deadline LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [BATCH],
    );
    for (const order of due) {
      await expireUnpaidOrder(
        {
          manager: run.manager,
          publish: (contract, data, options) => run.publish(contract, data, { ...options, correlationId: order.correlation_id }),
          causedByEventId: null,
          correlationId: order.correlation_id,
        },
        order.id,
      );
    }
  }
}
