import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { quotedTable } from '../database/quoted-table';
import { Outbox } from '../outbox/outbox';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { ProcessManagerTimeout } from './process-manager-timeout.contract';
import type { ScheduledTimeout, TimeoutRequest, TimeoutScheduler } from './timeout-scheduler';

/** A timeout's CloudEvents subject: its instance, `<process>/<key>`, as `ops outbox scheduled` lists it. */
export const timeoutSubject = (process: string, key: string) => `${process}/${key}`;

/**
 * Timeouts are scheduled outbox rows: a ProcessManagerTimeout event for the service's own queue,
 * due by the database clock. The relay claims, wakes and sends them like any scheduled event, and
 * the consumer hands them back to the instance through the inbox. No second scheduler: one claim
 * machinery, one due-time index, one listing (`ops outbox scheduled`), for timers of every kind.
 */
@Injectable()
export class OutboxTimeoutScheduler implements TimeoutScheduler {
  constructor(private readonly outbox: Outbox) {}

  async schedule(manager: EntityManager, request: TimeoutRequest): Promise<ScheduledTimeout> {
    const due = 'at' in request.due ? { deliverAt: request.due.at } : { delay: request.due.delayMs };
    const envelope = await this.outbox.publish(
      manager,
      ProcessManagerTimeout,
      { process: request.process, key: request.key, timeout: request.timeout, data: request.data },
      // The subject names the instance, not its business key, so the event history of an order
      // (everything with the order id as subject) is not mixed with its timers.
      { subject: timeoutSubject(request.process, request.key), destination: 'own-queue', ...due },
    );
    if ('at' in request.due) return { id: envelope.id, dueAt: request.due.at };
    // The outbox computed the due time from the database clock; the instance records that one.
    const [row]: { deliver_at: Date }[] = await manager.query(`SELECT deliver_at FROM ${quotedTable(manager, OutboxMessage)} WHERE event_id = $1`, [envelope.id]);
    return { id: envelope.id, dueAt: row.deliver_at };
  }

  async cancel(manager: EntityManager, ids: readonly string[]): Promise<void> {
    // False for one already sent or being sent: it arrives, and the instance no longer waits for it.
    for (const id of ids) await this.outbox.cancelScheduled(manager, id);
  }
}
