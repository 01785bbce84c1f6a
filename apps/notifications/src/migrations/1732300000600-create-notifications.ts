import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotifications1732300000600 implements MigrationInterface {
  name = 'CreateNotifications1732300000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "notifications" (
        id uuid PRIMARY KEY,
        event_id text NOT NULL UNIQUE,
        event_type text NOT NULL,
        order_id uuid NOT NULL,
        customer_id text NOT NULL,
        channel text NOT NULL,
        recipient text NOT NULL,
        subject text NOT NULL,
        text text NOT NULL,
        correlation_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "notifications_order_idx" ON "notifications" (order_id, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notifications"`);
  }
}
