import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inventory follows orders' decisions instead of its own clock: the stock held for orders is kept
 * per SKU next to what is available, operators change stock by recorded adjustments, and an order
 * cancelled before it was placed here is remembered. The expiry index goes with the sweep.
 */
export class TrackHeldStock1732300000301 implements MigrationInterface {
  name = 'TrackHeldStock1732300000301';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "stock_items" ADD COLUMN reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0)`);
    await queryRunner.query(`
      UPDATE "stock_items" AS s SET reserved = held.quantity
      FROM (
        SELECT line->>'sku' AS sku, sum((line->>'quantity')::int) AS quantity
        FROM "reservations", jsonb_array_elements(lines) AS line
        WHERE status = 'RESERVED' GROUP BY 1
      ) AS held
      WHERE s.sku = held.sku`);
    await queryRunner.query(`DROP INDEX IF EXISTS "reservations_pending_expiry_idx"`);
    await queryRunner.query(`
      CREATE TABLE "stock_adjustments" (
        id uuid PRIMARY KEY,
        sku text NOT NULL,
        delta integer NOT NULL CHECK (delta <> 0),
        reason text NOT NULL,
        available_after integer NOT NULL,
        correlation_id text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "stock_adjustments_sku_idx" ON "stock_adjustments" (sku, at)`);
    await queryRunner.query(`
      CREATE TABLE "order_cancellations" (
        order_id uuid PRIMARY KEY,
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "order_cancellations"`);
    await queryRunner.query(`DROP TABLE "stock_adjustments"`);
    await queryRunner.query(`CREATE INDEX "reservations_pending_expiry_idx" ON "reservations" (expires_at) WHERE status = 'RESERVED'`);
    await queryRunner.query(`ALTER TABLE "stock_items" DROP COLUMN reserved`);
  }
}
