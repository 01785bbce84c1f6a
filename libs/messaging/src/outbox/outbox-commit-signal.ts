import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { outboxChannel } from '../database/messaging-tables.migration';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { OutboxRelay } from './outbox-relay';

const WROTE_OUTBOX = Symbol('wrote outbox rows');

/** Called by `Outbox.publish`: this transaction has outbox rows, so its commit is worth a wake-up. */
export function markOutboxWritten(queryRunner: QueryRunner | undefined): void {
  if (queryRunner) (queryRunner.data as Record<symbol, boolean>)[WROTE_OUTBOX] = true;
}

/**
 * Wakes relays after a transaction that wrote outbox rows commits, without a NOTIFY inside it (a
 * NOTIFY takes a database-wide lock at commit and serialises every writing transaction). When this
 * process relays, its own relay is woken in-process, at once. When it does not
 * (OUTBOX_RELAY_ENABLED=false), the relays elsewhere are notified outside any business transaction,
 * at most once per OUTBOX_NOTIFY_MS, the last commit of a burst always followed by one.
 */
@Injectable()
export class OutboxCommitSignal implements EntitySubscriberInterface, OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxCommitSignal.name);
  private lastNotifyAt = 0;
  private trailing?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.trailing);
  }

  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    // A released savepoint is not the commit: the rows are not visible to anyone yet.
    if (queryRunner.isTransactionActive || !this.takeMark(queryRunner)) return;
    if (this.relay.relaysHere) this.relay.wake();
    else this.notifySoon();
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (!queryRunner.isTransactionActive) this.takeMark(queryRunner);
  }

  private takeMark(queryRunner: QueryRunner): boolean {
    const data = queryRunner.data as Record<symbol, boolean>;
    const marked = data[WROTE_OUTBOX] === true;
    delete data[WROTE_OUTBOX];
    return marked;
  }

  private notifySoon(): void {
    if (this.stopped || this.trailing) return;
    const wait = this.lastNotifyAt + this.options.config.outbox.notifyIntervalMs - Date.now();
    if (wait <= 0) {
      void this.notify();
      return;
    }
    this.trailing = setTimeout(() => {
      this.trailing = undefined;
      void this.notify();
    }, wait);
  }

  private async notify(): Promise<void> {
    this.lastNotifyAt = Date.now();
    try {
      await this.dataSource.query(`SELECT pg_notify($1, '')`, [outboxChannel((this.dataSource.options as { schema: string }).schema)]);
    } catch (error) {
      // The relays' poll still finds the rows.
      this.logger.warn({ err: error }, 'Could not notify the relays of an outbox commit');
    }
  }
}
