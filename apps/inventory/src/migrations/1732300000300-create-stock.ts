import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Stock and reservations. Nothing is put on the shelf here: demo stock is the local stack's (tools/local-stack). */
export class CreateStock1732300000300 implements MigrationInterface {
  name = 'CreateStock1732300000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "stock_items" (
        sku text PRIMARY KEY,
        available integer NOT NULL CHECK (available >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "reservations" (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE,
        customer_id text NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0),
        currency char(3) NOT NULL,
        lines jsonb NOT NULL,
        status text NOT NULL,
        missing jsonb,
        expires_at timestamptz,
        correlation_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The sweep reads only the holds still waiting for payment, oldest deadline first.
    await queryRunner.query(`CREATE INDEX "reservations_pending_expiry_idx" ON "reservations" (expires_at) WHERE status = 'RESERVED'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "reservations"`);
    await queryRunner.query(`DROP TABLE "stock_items"`);
  }
}
