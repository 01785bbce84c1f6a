import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Payments are now charged from StockReserved, which names the customer; earlier rows have none. */
export class RecordPaymentCustomers1732300000201 implements MigrationInterface {
  name = 'RecordPaymentCustomers1732300000201';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payments" ADD COLUMN customer_id text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payments" DROP COLUMN customer_id`);
  }
}
