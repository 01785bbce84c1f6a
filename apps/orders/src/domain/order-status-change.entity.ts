import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Order } from './order.entity';
import { OrderStatus } from './order-status';

/** The order's history: one row per status it reached, with what caused it. */
@Entity({ name: 'order_status_changes' })
export class OrderStatusChange {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne('Order', (order: Order) => order.history)
  @JoinColumn({ name: 'order_id' })
  order: Order;

  @Column({ type: 'text' })
  status: OrderStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** The event that caused the change; null for the request that placed the order. */
  @Column({ name: 'caused_by_event_id', type: 'text', nullable: true })
  causedByEventId: string | null;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @CreateDateColumn({ name: 'at', type: 'timestamptz' })
  at: Date;
}
