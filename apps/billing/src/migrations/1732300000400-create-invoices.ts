import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateInvoices1732300000400 implements MigrationInterface {
  name = 'CreateInvoices1732300000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "invoice_counters" (
        series text PRIMARY KEY,
        last_number bigint NOT NULL CHECK (last_number >= 0)
      )`);
    await queryRunner.query(`
      CREATE TABLE "invoices" (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        order_id uuid NOT NULL UNIQUE,
        payment_id uuid NOT NULL UNIQUE,
        customer_id text NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0),
        currency char(3) NOT NULL,
        correlation_id text NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "invoices"`);
    await queryRunner.query(`DROP TABLE "invoice_counters"`);
  }
}
