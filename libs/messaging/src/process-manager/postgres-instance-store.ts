import type { EntityManager } from 'typeorm';
import { OutsideTransactionError } from '../errors/messaging-errors';
import type { InstanceStore, LockedInstance, PendingTimeout, ProcessInstance } from './instance-store';
import { PROCESS_INSTANCES_TABLE } from './process-instances.migration';

interface InstanceRow {
  state: object;
  version: number;
  completed: boolean;
  timeouts: Record<string, PendingTimeout>;
}

/**
 * Instances as rows of `<schema>.process_instances`, held with a row lock (`SELECT … FOR UPDATE`)
 * for the rest of the step's transaction. A second message for the same instance, on this replica
 * or another, waits for the first to commit and then reads its state: no lost update, and no retry.
 * A missing instance that may start is inserted with `ON CONFLICT DO NOTHING`, which also waits for
 * a concurrent insert of the same key, so exactly one message starts it.
 */
export class PostgresInstanceStore implements InstanceStore {
  async lock(manager: EntityManager, process: string, key: string, initial?: object): Promise<LockedInstance | undefined> {
    assertInTransaction(manager, process);
    const existing = await this.selectForUpdate(manager, process, key);
    if (existing || !initial) return existing && { instance: existing, created: false };
    const inserted: unknown[] = await manager.query(
      `INSERT INTO ${this.table(manager)} (process, key, state) VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING RETURNING 1`,
      [process, key, JSON.stringify(initial)],
    );
    if (inserted.length > 0) return { instance: { state: initial, version: 0, completed: false, timeouts: {} }, created: true };
    // Another transaction inserted it between our two statements and has committed by now.
    const raced = await this.selectForUpdate(manager, process, key);
    if (!raced) throw new Error(`Process instance ${process}/${key} vanished while being started`);
    return { instance: raced, created: false };
  }

  async save(manager: EntityManager, process: string, key: string, instance: ProcessInstance): Promise<void> {
    await manager.query(
      `UPDATE ${this.table(manager)}
       SET state = $3::jsonb, version = $4, timeouts = $5::jsonb, updated_at = now(),
           completed_at = CASE WHEN $6 THEN coalesce(completed_at, now()) END
       WHERE process = $1 AND key = $2`,
      [process, key, JSON.stringify(instance.state), instance.version, JSON.stringify(instance.timeouts), instance.completed],
    );
  }

  private async selectForUpdate(manager: EntityManager, process: string, key: string): Promise<ProcessInstance | undefined> {
    const rows: InstanceRow[] = await manager.query(
      `SELECT state, version, completed_at IS NOT NULL AS completed, timeouts FROM ${this.table(manager)} WHERE process = $1 AND key = $2 FOR UPDATE`,
      [process, key],
    );
    return rows[0];
  }

  private table(manager: EntityManager): string {
    const schema = (manager.connection.options as { schema?: string }).schema;
    return `"${schema}"."${PROCESS_INSTANCES_TABLE}"`;
  }
}

function assertInTransaction(manager: EntityManager, process: string): void {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new OutsideTransactionError(`Process manager "${process}" must take its steps inside a transaction`);
  }
}
