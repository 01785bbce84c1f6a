import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How each handling went, for the flow view: the SQS delivery that succeeded (`attempts`, its
 * ApproximateReceiveCount), the tries within that delivery (`tries`, immediate retries included),
 * and how long the successful handler ran (`duration_ms`). Rows from before this migration keep
 * the defaults and no duration.
 */
export class InboxHandling1732300000070 implements MigrationInterface {
  name = 'InboxHandling1732300000070';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = `${schemaOf(queryRunner)}."inbox_messages"`;
    // Constant defaults: Postgres adds these columns without rewriting the table.
    await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN attempts integer NOT NULL DEFAULT 1, ADD COLUMN tries integer NOT NULL DEFAULT 1, ADD COLUMN duration_ms double precision`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${schemaOf(queryRunner)}."inbox_messages" DROP COLUMN duration_ms, DROP COLUMN tries, DROP COLUMN attempts`);
  }
}

function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('The inbox table needs a data source with an explicit schema');
  return `"${schema}"`;
}
