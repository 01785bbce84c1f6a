import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdempotencyKeys1732300000101 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1732300000101';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "idempotency_keys" (
        key text PRIMARY KEY,
        request_fingerprint text NOT NULL,
        status_code integer NOT NULL,
        response json NOT NULL,
        order_id uuid NOT NULL REFERENCES "orders"(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
