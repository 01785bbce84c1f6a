import type { MigrationInterface, QueryRunner } from 'typeorm';

export const PROCESS_INSTANCES_TABLE = 'process_instances';

/**
 * The instances of the service's process managers: one row per (process manager, key), with its
 * state, a version counted up by every step, when it completed, and the timeouts it waits for.
 * Completed rows stay, so a late event finds "completed", not "unknown" (which could start it again),
 * until the retention janitor deletes them PROCESS_RETENTION_HOURS after completion.
 */
export class ProcessInstances1732300000060 implements MigrationInterface {
  name = 'ProcessInstances1732300000060';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = `"${schemaOf(queryRunner)}"."${PROCESS_INSTANCES_TABLE}"`;
    await queryRunner.query(`
      CREATE TABLE ${table} (
        process text NOT NULL,
        key text NOT NULL,
        state jsonb NOT NULL,
        version integer NOT NULL DEFAULT 0,
        timeouts jsonb NOT NULL DEFAULT '{}'::jsonb,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (process, key)
      )`);
    await queryRunner.query(`CREATE INDEX "process_instances_completed_at_idx" ON ${table} (completed_at) WHERE completed_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${schemaOf(queryRunner)}"."${PROCESS_INSTANCES_TABLE}"`);
  }
}

function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('The process instances table needs a data source with an explicit schema');
  return schema;
}
