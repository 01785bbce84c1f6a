import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PAYMENTS_CONFIG, type PaymentsConfig } from '../payments.config';

export type ChargeResult = { approved: true; reference: string } | { approved: false; reason: 'DECLINED' };

/** Stands in for a card processor: approves everything up to a configured limit. */
@Injectable()
export class SimulatedPaymentProvider {
  constructor(@Inject(PAYMENTS_CONFIG) private readonly config: PaymentsConfig) {}

  charge(amount: number): ChargeResult {
    return amount > this.config.declineAbove ? { approved: false, reason: 'DECLINED' } : { approved: true, reference: `sim_${randomUUID()}` };
  }
}
