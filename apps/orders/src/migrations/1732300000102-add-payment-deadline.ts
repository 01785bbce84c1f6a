import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders decides whether an order was paid in time, against its own clock: each order gets its
 * payment deadline, and the statuses say what the order waits for. Orders placed before get the
 * deadline the inventory sweep gave their holds (15 minutes after placing).
 */
export class AddPaymentDeadline1732300000102 implements MigrationInterface {
  name = 'AddPaymentDeadline1732300000102';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "orders" ADD COLUMN payment_deadline timestamptz`);
    await queryRunner.query(`UPDATE "orders" SET payment_deadline = created_at + interval '900 seconds'`);
    await queryRunner.query(`ALTER TABLE "orders" ALTER COLUMN payment_deadline SET NOT NULL`);
    for (const [before, after] of [
      ['RESERVED', 'AWAITING_PAYMENT'],
      ['PAID', 'CONFIRMED'],
    ]) {
      await queryRunner.query(`UPDATE "orders" SET status = $2 WHERE status = $1`, [before, after]);
      await queryRunner.query(`UPDATE "order_status_changes" SET status = $2 WHERE status = $1`, [before, after]);
    }
    // The deadline job reads only the orders still waiting for their payment, earliest deadline first.
    await queryRunner.query(`CREATE INDEX "orders_awaiting_payment_idx" ON "orders" (payment_deadline) WHERE status IN ('PLACED', 'AWAITING_PAYMENT')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "orders_awaiting_payment_idx"`);
    for (const [before, after] of [
      ['RESERVED', 'AWAITING_PAYMENT'],
      ['PAID', 'CONFIRMED'],
    ]) {
      await queryRunner.query(`UPDATE "orders" SET status = $1 WHERE status = $2`, [before, after]);
      await queryRunner.query(`UPDATE "order_status_changes" SET status = $1 WHERE status = $2`, [before, after]);
    }
    await queryRunner.query(`ALTER TABLE "orders" DROP COLUMN payment_deadline`);
  }
}
