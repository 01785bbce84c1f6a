import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PaymentStatus } from '../domain/payment.entity';
import { SideConnection } from '../domain/side-connection';
import { PAYMENTS_CONFIG, type PaymentsConfig } from '../payments.config';

export interface ChargeToRequest {
  orderId: string;
  customerId: string;
  amount: number;
  currency: string;
  correlationId: string;
}

export interface RequestedCharge {
  paymentId: string;
  status: PaymentStatus;
  /** This call made the row (false: an earlier attempt or another event about the order did). */
  created: boolean;
}

/**
 * Records "charge requested" and commits it before the provider is called, on a connection apart
 * from the handler's transaction: from then on a crash anywhere leaves a REQUESTED payment that
 * the next attempt finishes with the same idempotency key, and an OrderCancelled that comes
 * meanwhile knows a charge may exist. An order already known cancelled gets a NOT_CHARGED row
 * instead, and is never sent to the provider.
 */
@Injectable()
export class ChargeRequests implements OnApplicationShutdown {
  private readonly connection: SideConnection;

  constructor(@Inject(PAYMENTS_CONFIG) config: PaymentsConfig) {
    this.connection = new SideConnection(config.messaging.database, 'payments', 'payments-charge-requests');
  }

  request(charge: ChargeToRequest): Promise<RequestedCharge> {
    return this.connection.transaction(async (client) => {
      const cancelled = (await client.query(`SELECT 1 FROM order_cancellations WHERE order_id = $1`, [charge.orderId])).rowCount ?? 0;
      // The unique order_id: of two events about one order, the second waits here for the first to commit, then finds its row.
      const inserted = await client.query<{ id: string; status: PaymentStatus }>(
        `INSERT INTO payments (id, order_id, customer_id, amount, currency, status, correlation_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) DO NOTHING RETURNING id, status`,
        [randomUUID(), charge.orderId, charge.customerId, charge.amount, charge.currency, cancelled > 0 ? PaymentStatus.NotCharged : PaymentStatus.Requested, charge.correlationId],
      );
      if (inserted.rows[0]) return { paymentId: inserted.rows[0].id, status: inserted.rows[0].status, created: true };
      const existing = await client.query<{ id: string; status: PaymentStatus }>(`SELECT id, status FROM payments WHERE order_id = $1`, [charge.orderId]);
      return { paymentId: existing.rows[0].id, status: existing.rows[0].status, created: false };
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.connection.end();
  }
}
