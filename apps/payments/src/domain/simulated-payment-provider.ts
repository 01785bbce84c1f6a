import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PAYMENTS_CONFIG, type PaymentsConfig } from '../payments.config';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest, RefundResult } from './payment-provider';
import { SideConnection } from './side-connection';

interface Operation {
  operation: 'charge' | 'refund';
  amount: string;
  approved: boolean;
  reference: string | null;
}

/**
 * Stands in for a card processor: approves every charge up to a configured limit, and refunds
 * completed charges. Like a real one it remembers each idempotency key and answers a repeat with
 * the first answer, across restarts: what it has done lives in `simulated_provider_operations`,
 * written on a connection of its own and committed at once, as a remote system's state would be,
 * whatever becomes of the caller's transaction.
 */
@Injectable()
export class SimulatedPaymentProvider implements PaymentProvider, OnApplicationShutdown {
  private readonly connection: SideConnection;

  constructor(@Inject(PAYMENTS_CONFIG) private readonly config: PaymentsConfig) {
    this.connection = new SideConnection(config.messaging.database, 'payments', 'payments-simulated-provider');
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const approved = request.amount <= this.config.declineAbove;
    const done = await this.once(request.idempotencyKey, 'charge', request.amount, request.currency, approved, approved ? `sim_ch_${randomUUID()}` : null, null);
    return done.approved && done.reference ? { approved: true, reference: done.reference } : { approved: false, reason: 'DECLINED' };
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const [charge] = await this.connection.query<{ amount: string }>(
      `SELECT amount FROM simulated_provider_operations WHERE operation = 'charge' AND approved AND reference = $1`,
      [request.chargeReference],
    );
    if (!charge) throw new Error(`The provider knows no completed charge ${request.chargeReference}`);
    if (Number(charge.amount) !== request.amount) throw new Error(`Refund of ${request.amount} for a charge of ${charge.amount}: only whole refunds are simulated`);
    const done = await this.once(request.idempotencyKey, 'refund', request.amount, request.currency, true, `sim_re_${randomUUID()}`, request.chargeReference);
    return { reference: done.reference as string };
  }

  onApplicationShutdown(): Promise<void> {
    return this.connection.end();
  }

  /** Records the operation under its key unless the key was used before; answers what the key holds. */
  private async once(key: string, operation: Operation['operation'], amount: number, currency: string, approved: boolean, reference: string | null, chargeReference: string | null): Promise<Operation> {
    const [inserted] = await this.connection.query<Operation>(
      `INSERT INTO simulated_provider_operations (idempotency_key, operation, amount, currency, approved, reference, charge_reference)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING operation, amount, approved, reference`,
      [key, operation, amount, currency, approved, reference, chargeReference],
    );
    const done = inserted ?? (await this.connection.query<Operation>(`SELECT operation, amount, approved, reference FROM simulated_provider_operations WHERE idempotency_key = $1`, [key]))[0];
    if (done.operation !== operation || Number(done.amount) !== amount) {
      throw new Error(`Idempotency key ${key} was first used for a ${done.operation} of ${done.amount}, not a ${operation} of ${amount}`);
    }
    return done;
  }
}
