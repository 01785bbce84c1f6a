import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When and where an outbox row goes, and what stands in its way.
 *
 * - `deliver_at`: the due time a publisher asked for (null: at once), from the database clock.
 * - `available_at`: the earliest instant the relay may claim the row (null: now). It starts as the
 *   due time and is pushed on by a lease or a retry backoff, so timers, leases and backoffs are all
 *   woken by one index.
 * - `leased_until`: set while a relay is sending the row; cancelling or rescheduling refuses it then.
 * - `parked_at`: the relay gave up on the row (the reason is in `last_error`); an operator releases it.
 * - `destination`: `topic` (the contract's SNS topic) or `own-queue` (the service's own SQS queue).
 *
 * The envelope becomes `json`, which keeps the text exactly as written: the relay sends those bytes,
 * so the publish-time size check measures what SNS receives (jsonb re-renders it, longer).
 */
export class OutboxDelivery1732300000010 implements MigrationInterface {
  name = 'OutboxDelivery1732300000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = outboxTable(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${table}
        ALTER COLUMN envelope TYPE json USING envelope::json,
        ADD COLUMN deliver_at timestamptz,
        ADD COLUMN available_at timestamptz,
        ADD COLUMN leased_until timestamptz,
        ADD COLUMN parked_at timestamptz,
        ADD COLUMN destination text NOT NULL DEFAULT 'topic' CHECK (destination IN ('topic', 'own-queue'))`);
    // Standard rows ready now, in commit order: the hot claim walks it from the front.
    await queryRunner.query(`
      CREATE INDEX "outbox_ready_idx" ON ${table} (id)
      WHERE published_at IS NULL AND parked_at IS NULL AND available_at IS NULL AND group_key IS NULL`);
    // Everything waiting for a time (a due time, a lease, a backoff): claimed and woken from the front.
    await queryRunner.query(`
      CREATE INDEX "outbox_due_idx" ON ${table} (available_at)
      WHERE published_at IS NULL AND parked_at IS NULL AND available_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const table = outboxTable(queryRunner);
    await queryRunner.query(`DROP INDEX ${schemaOf(queryRunner)}."outbox_due_idx"`);
    await queryRunner.query(`DROP INDEX ${schemaOf(queryRunner)}."outbox_ready_idx"`);
    await queryRunner.query(`
      ALTER TABLE ${table}
        ALTER COLUMN envelope TYPE jsonb USING envelope::jsonb,
        DROP COLUMN deliver_at, DROP COLUMN available_at, DROP COLUMN leased_until, DROP COLUMN parked_at, DROP COLUMN destination`);
  }
}

function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('The outbox table needs a data source with an explicit schema');
  return `"${schema}"`;
}

function outboxTable(queryRunner: QueryRunner): string {
  return `${schemaOf(queryRunner)}."outbox_messages"`;
}
