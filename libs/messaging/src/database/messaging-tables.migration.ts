import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Postgres channel the relay listens on; one per schema so services sharing a database stay apart. */
export const outboxChannel = (schema: string) => `outbox_${schema}`;

/**
 * The outbox and inbox tables, created in the service's own schema by the service's migrations.
 * A statement-level trigger notifies the relay when outbox rows are inserted; Postgres delivers
 * NOTIFY only on commit, so the relay wakes exactly when there is something it may read.
 */
export class MessagingTables1732300000000 implements MigrationInterface {
  name = 'MessagingTables1732300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = currentSchema(queryRunner);
    const q = (name: string) => `"${schema}"."${name}"`;
    await queryRunner.query(`
      CREATE TABLE ${q('outbox_messages')} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        type text NOT NULL,
        topic text NOT NULL,
        group_key text,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    await queryRunner.query(`CREATE INDEX "outbox_unpublished_idx" ON ${q('outbox_messages')} (id) WHERE published_at IS NULL`);
    await queryRunner.query(`CREATE INDEX "outbox_published_at_idx" ON ${q('outbox_messages')} (published_at) WHERE published_at IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE ${q('inbox_messages')} (
        event_id text NOT NULL,
        consumer text NOT NULL,
        type text NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, consumer)
      )`);
    await queryRunner.query(`CREATE INDEX "inbox_handled_at_idx" ON ${q('inbox_messages')} (handled_at)`);
    await queryRunner.query(`
      CREATE FUNCTION ${q('notify_outbox')}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${outboxChannel(schema)}', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "outbox_notify" AFTER INSERT ON ${q('outbox_messages')}
      FOR EACH STATEMENT EXECUTE FUNCTION ${q('notify_outbox')}()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = currentSchema(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."inbox_messages"`);
    await queryRunner.query(`DROP TABLE "${schema}"."outbox_messages"`);
    await queryRunner.query(`DROP FUNCTION "${schema}"."notify_outbox"()`);
  }
}

function currentSchema(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('The messaging tables need a data source with an explicit schema');
  return schema;
}
