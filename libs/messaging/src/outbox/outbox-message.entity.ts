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

  @Column({ type: 'jsonb' })
  envelope: CloudEvent;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;
}
