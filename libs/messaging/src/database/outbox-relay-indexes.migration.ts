import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the relay's FIFO claim and for parked rows. FIFO rows are claimed in id order
 * (`outbox_fifo_pending_idx`), each only when no earlier row of its message group is being sent or
 * backing off (`outbox_fifo_group_idx`, probed once per candidate). Parked rows have their own small
 * index, for the gauge, the backlog and release.
 */
export class OutboxRelayIndexes1732300000020 implements MigrationInterface {
  name = 'OutboxRelayIndexes1732300000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    const table = `${schema}."outbox_messages"`;
    const fifoPending = 'published_at IS NULL AND parked_at IS NULL AND group_key IS NOT NULL';
    await queryRunner.query(`CREATE INDEX "outbox_fifo_pending_idx" ON ${table} (id) WHERE ${fifoPending}`);
    await queryRunner.query(`CREATE INDEX "outbox_fifo_group_idx" ON ${table} (group_key, id) WHERE ${fifoPending}`);
    await queryRunner.query(`CREATE INDEX "outbox_parked_idx" ON ${table} (id) WHERE parked_at IS NOT NULL AND published_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    for (const index of ['outbox_parked_idx', 'outbox_fifo_group_idx', 'outbox_fifo_pending_idx']) await queryRunner.query(`DROP INDEX ${schema}."${index}"`);
  }
}

function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('The outbox table needs a data source with an explicit schema');
  return `"${schema}"`;
}
