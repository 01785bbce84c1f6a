import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateShipments1732300000500 implements MigrationInterface {
  name = 'CreateShipments1732300000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "shipments" (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE,
        customer_id text NOT NULL,
        carrier text NOT NULL,
        tracking_number text NOT NULL UNIQUE,
        status text NOT NULL,
        correlation_id text NOT NULL,
        dispatched_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "shipments"`);
  }
}
