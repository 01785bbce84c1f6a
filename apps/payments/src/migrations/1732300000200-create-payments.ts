import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayments1732300000200 implements MigrationInterface {
  name = 'CreatePayments1732300000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "payments" (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE,
        amount bigint NOT NULL CHECK (amount >= 0),
        currency char(3) NOT NULL,
        status text NOT NULL,
        provider_reference text,
        correlation_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "payments"`);
  }
}
