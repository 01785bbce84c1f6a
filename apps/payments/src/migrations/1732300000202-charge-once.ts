import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Charges are made once whatever crashes: a charge is recorded as REQUESTED before the provider is
 * called, cancellations are remembered, and refunds have their table. The simulated provider keeps
 * its idempotency keys here too (a real provider keeps them on its side).
 */
export class ChargeOnce1732300000202 implements MigrationInterface {
  name = 'ChargeOnce1732300000202';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "order_cancellations" (
        order_id uuid PRIMARY KEY,
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "refunds" (
        id uuid PRIMARY KEY,
        payment_id uuid NOT NULL UNIQUE REFERENCES "payments"(id),
        order_id uuid NOT NULL UNIQUE,
        amount bigint NOT NULL CHECK (amount >= 0),
        currency char(3) NOT NULL,
        provider_reference text NOT NULL,
        correlation_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "simulated_provider_operations" (
        idempotency_key text PRIMARY KEY,
        operation text NOT NULL CHECK (operation IN ('charge', 'refund')),
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        approved boolean NOT NULL,
        reference text UNIQUE,
        charge_reference text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "simulated_provider_operations"`);
    await queryRunner.query(`DROP TABLE "refunds"`);
    await queryRunner.query(`DROP TABLE "order_cancellations"`);
  }
}
