import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One handled event per consumer. The row is inserted in the handler's own transaction, so either
 * the handler's writes and this row both commit, or neither does: a redelivered event finds the row
 * and is acknowledged without running the handler again.
 */
@Entity({ name: 'inbox_messages' })
export class InboxMessage {
  /** The CloudEvent id: stable across SNS/SQS redeliveries and outbox re-sends, unlike the SQS id. */
  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId: string;

  @PrimaryColumn({ type: 'text' })
  consumer: string;

  @Column({ type: 'text' })
  type: string;

  @CreateDateColumn({ name: 'handled_at', type: 'timestamptz' })
  handledAt: Date;

  /** The SQS delivery that succeeded (its ApproximateReceiveCount): above 1, earlier deliveries failed. */
  @Column({ type: 'integer', default: 1 })
  attempts: number;

  /** Tries within that delivery, the successful one included: above 1, immediate retries ran. */
  @Column({ type: 'integer', default: 1 })
  tries: number;

  /** How long the successful handler ran, in milliseconds; null on rows older than the column. */
  @Column({ name: 'duration_ms', type: 'double precision', nullable: true })
  durationMs: number | null;
}
