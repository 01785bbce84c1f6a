import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';

/**
 * Deletes published outbox rows, old inbox rows and long-completed process-manager instances after
 * their retention, a bounded batch per statement so a large backlog never turns into one long
 * lock-holding delete.
 *
 * The inbox retention bounds how late a duplicate can arrive and still be recognised: keep it
 * longer than the longest redelivery window (SQS retention, plus any replay you intend to run).
 */
@Injectable()
export class RetentionJanitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionJanitor.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'Retention sweep failed; will try again'))
        .finally(() => (this.running = undefined));
    }, this.options.config.retention.sweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes everything past retention, batch by batch. Returns the rows deleted per table. */
  async sweep(): Promise<{ outbox: number; inbox: number; processInstances: number }> {
    const { outboxHours, inboxHours, processHours, batchSize } = this.options.config.retention;
    const schema = (this.dataSource.options as { schema: string }).schema;
    const outbox = await this.deleteInBatches(
      `DELETE FROM "${schema}".outbox_messages WHERE id IN (
         SELECT id FROM "${schema}".outbox_messages
         WHERE published_at IS NOT NULL AND published_at < now() - make_interval(hours => $1) LIMIT $2)`,
      [outboxHours, batchSize],
    );
    const inbox = await this.deleteInBatches(
      `DELETE FROM "${schema}".inbox_messages WHERE (event_id, consumer) IN (
         SELECT event_id, consumer FROM "${schema}".inbox_messages
         WHERE handled_at < now() - make_interval(hours => $1) LIMIT $2)`,
      [inboxHours, batchSize],
    );
    // Running instances are kept however old: only completion starts the clock.
    const processInstances = await this.deleteInBatches(
      `DELETE FROM "${schema}".process_instances WHERE (process, key) IN (
         SELECT process, key FROM "${schema}".process_instances
         WHERE completed_at < now() - make_interval(hours => $1) LIMIT $2)`,
      [processHours, batchSize],
    );
    if (outbox + inbox + processInstances > 0) this.logger.log({ outbox, inbox, processInstances }, 'Deleted messaging rows past retention');
    return { outbox, inbox, processInstances };
  }

  private async deleteInBatches(sql: string, params: [number, number]): Promise<number> {
    let total = 0;
    for (;;) {
      const [, affected] = (await this.dataSource.query(sql, params)) as [unknown, number];
      total += affected;
      if (affected < params[1]) return total;
    }
  }
}
