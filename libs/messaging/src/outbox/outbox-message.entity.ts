import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CloudEvent } from '../envelope/cloud-event';

/**
 * One event waiting to be relayed, written in the same transaction as the business change that
 * caused it. `publishedAt` stays null until SNS has accepted it; a partial index over the unpublished
 * rows keeps the relay's claim an index scan however many published rows the table holds.
 */
@Entity({ name: 'outbox_messages' })
export class OutboxMessage {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'event_id', type: 'uuid', unique: true })
  eventId: string;

  @Column({ type: 'text' })
  type: string;

  /** Logical topic name (without the deployment prefix). */
  @Column({ type: 'text' })
  topic: string;

  /** FIFO message group (the aggregate key); null for standard topics. */
  @Column({ name: 'group_key', type: 'text', nullable: true })
  groupKey: string | null;

  /** `json`, not `jsonb`: the text is kept exactly as written, and the relay sends those bytes. */
  @Column({ type: 'json' })
  envelope: CloudEvent;

  /** Where the row goes: the contract's topic, or straight to this service's own queue. */
  @Column({ type: 'text', default: 'topic' })
  destination: 'topic' | 'own-queue';

  /** The due time the publisher asked for, by the database clock; null for at once. */
  @Column({ name: 'deliver_at', type: 'timestamptz', nullable: true })
  deliverAt: Date | null;

  /** The earliest instant the relay may claim the row: the due time, then a backoff (or a FIFO row's lease). */
  @Column({ name: 'available_at', type: 'timestamptz', nullable: true })
  availableAt: Date | null;

  /** Set while a relay is sending the row: the lease (heap-only for standard rows, see standardClaimSql). */
  @Column({ name: 'leased_until', type: 'timestamptz', nullable: true })
  leasedUntil: Date | null;

  /** Set when the relay gave up on the row; `lastError` says why. */
  @Column({ name: 'parked_at', type: 'timestamptz', nullable: true })
  parkedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;
}
