import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The console's own state: who did what (the audit log), and the dead letters an operator archived. */
export class CreateConsoleTables1732300000900 implements MigrationInterface {
  name = 'CreateConsoleTables1732300000900';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        who text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        target text NOT NULL,
        count integer NOT NULL,
        detail jsonb
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC)`);
    // The message stays in its DLQ; the row hides it from the failure lists and keeps a copy past the DLQ's retention.
    await queryRunner.query(`
      CREATE TABLE archived_failures (
        service text NOT NULL,
        message_id text NOT NULL,
        event_type text,
        code text,
        reason text,
        body text NOT NULL,
        archived_at timestamptz NOT NULL DEFAULT now(),
        archived_by text NOT NULL,
        PRIMARY KEY (service, message_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE archived_failures`);
    await queryRunner.query(`DROP TABLE audit_log`);
  }
}
