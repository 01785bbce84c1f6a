import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room in every outbox page for one more version of each row, so that the relay's lease (which
 * writes only `leased_until`, in no index or index predicate) is a heap-only update: no entry in any
 * of the outbox's indexes. Only pages written from now on get the room; existing ones keep theirs.
 * From this release on a standard row's lease no longer moves `available_at` (OutboxDelivery's
 * description of that column): only a FIFO row's does.
 */
export class OutboxHotLease1732300000080 implements MigrationInterface {
  name = 'OutboxHotLease1732300000080';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${outboxTable(queryRunner)} SET (fillfactor = 50)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${outboxTable(queryRunner)} RESET (fillfactor)`);
  }
}

function outboxTable(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('The outbox table needs a data source with an explicit schema');
  return `"${schema}"."outbox_messages"`;
}
