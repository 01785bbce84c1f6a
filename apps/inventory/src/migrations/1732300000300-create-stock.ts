import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Stock and reservations, with a few SKUs on the shelf so a fresh stack can take orders at once. */
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
    await queryRunner.query(`
      INSERT INTO "stock_items" (sku, available) VALUES
        ('SKU-1', 1000), ('SKU-2', 1000), ('SKU-3', 1000), ('SKU-4', 1000), ('SKU-5', 1000), ('SKU-RARE', 1)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "reservations"`);
    await queryRunner.query(`DROP TABLE "stock_items"`);
  }
}
