import type { MigrationInterface, QueryRunner } from 'typeorm';

export const SCHEDULED_JOB_RUNS_TABLE = 'scheduled_job_runs';

/**
 * The bookkeeping of scheduled jobs: per job, the start of the last interval that was run. Add
 * this migration to the `migrations` of any service that has a ScheduledJob; start-up says so if
 * it is missing.
 */
export class ScheduledJobRuns1732300000050 implements MigrationInterface {
  name = 'ScheduledJobRuns1732300000050';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${schemaOf(queryRunner)}"."${SCHEDULED_JOB_RUNS_TABLE}" (
        job text PRIMARY KEY,
        slot_start timestamptz NOT NULL,
        last_run_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${schemaOf(queryRunner)}"."${SCHEDULED_JOB_RUNS_TABLE}"`);
  }
}

function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('The scheduled job table needs a data source with an explicit schema');
  return schema;
}
