import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxChannel } from './messaging-tables.migration';

/** Set by a session whose process signals its own outbox commits (OutboxCommitSignal): its inserts need no trigger NOTIFY. */
export const OUTBOX_NOTIFY_SETTING = 'messaging.outbox_notify';

/**
 * The insert trigger notifies only for sessions that do not signal their commits themselves. A
 * NOTIFY in a transaction takes a database-wide lock at commit, which serialised every writing
 * transaction (measured: 2,549 against 3,874 commits/s with 10 clients). A service's own sessions
 * set `messaging.outbox_notify=off` at connect and wake their in-process relay after commit
 * instead (or send one rate-limited NOTIFY outside any business transaction when they relay
 * nothing); any other writer (a script, a bench, an older release) still wakes the relays.
 */
export class OutboxNotifyGuard1732300000030 implements MigrationInterface {
  name = 'OutboxNotifyGuard1732300000030';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION "${schema}"."notify_outbox"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(current_setting('${OUTBOX_NOTIFY_SETTING}', true), '') <> 'off' THEN
          PERFORM pg_notify('${outboxChannel(schema)}', '');
        END IF;
        RETURN NULL;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION "${schema}"."notify_outbox"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${outboxChannel(schema)}', '');
        RETURN NULL;
      END $$`);
  }
}

function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('The outbox table needs a data source with an explicit schema');
  return schema;
}
