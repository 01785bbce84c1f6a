import { defineTimeout, OnTimeout, ProcessManager, ProcessManagers, type ProcessStep, type TimeoutPayload } from '@app/messaging';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { Order } from '../domain/order.entity';
import { OrderStatus } from '../domain/order-status';
import { expireUnpaidOrder } from './expire-unpaid-order';

/** The order's payment deadline has come, by the orders database clock. */
export const PaymentDeadlinePassed = defineTimeout({ name: 'payment-deadline', schema: z.object({}) });

export interface PaymentDeadlineState {
  /** The order's correlation id, for the history entry the deadline writes. */
  correlationId: string;
}

/** Statuses in which an order still waits for its payment. */
const WAITING: readonly string[] = [OrderStatus.Placed, OrderStatus.AwaitingPayment];

/**
 * Keeps the time of one order's payment deadline, durably: a process manager whose one timeout is
 * asked for in the transaction that places the order, due at the order's `payment_deadline`, so the
 * timer exists if and only if the order does, and survives restarts of everything. When it fires,
 * the order state machine decides (expireUnpaidOrder), as it does for every event: a paid or
 * cancelled order is left as it is. The timer is not withdrawn when the order is paid; deciding
 * that is the state machine's alone, and a deadline meeting a settled order costs one no-op step.
 */
@Injectable()
export class PaymentDeadlineProcess extends ProcessManager<PaymentDeadlineState> {
  readonly name = 'order-payment-deadline';

  constructor(private readonly processes: ProcessManagers) {
    super();
  }

  initialState(): PaymentDeadlineState {
    return { correlationId: '' };
  }

  /** MUST be called in the transaction that places the order. */
  async start(manager: EntityManager, order: Pick<Order, 'id' | 'paymentDeadline' | 'correlationId'>): Promise<void> {
    await this.processes.start(manager, this, order.id, (step) => {
      step.state.correlationId = order.correlationId;
      step.requestTimeout(PaymentDeadlinePassed, {}, { at: notBefore(order.paymentDeadline) });
    });
  }

  @OnTimeout(PaymentDeadlinePassed)
  async deadlinePassed(_deadline: TimeoutPayload<typeof PaymentDeadlinePassed>, step: ProcessStep<PaymentDeadlineState>): Promise<void> {
    const applied = await expireUnpaidOrder(
      { manager: step.manager, publish: (contract, data, options) => step.publish(contract, data, options), causedByEventId: step.message?.id ?? null, correlationId: step.state.correlationId },
      step.key,
    );
    if (applied && WAITING.includes(applied.order.status)) {
      // Not overdue yet by the database clock (the timer's instant is rounded to milliseconds): again then.
      step.requestTimeout(PaymentDeadlinePassed, {}, { at: notBefore(applied.order.paymentDeadline) });
      return;
    }
    step.complete();
  }
}

/** Postgres keeps microseconds and a Date milliseconds: the next millisecond is never early. */
function notBefore(deadline: Date): Date {
  return new Date(deadline.getTime() + 1);
}
