import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { OrderStatus } from './order-status';
import { OrderStatusChange } from './order-status-change.entity';

export interface OrderLine {
  sku: string;
  quantity: number;
  /** Minor units. */
  unitPrice: number;
}

@Entity({ name: 'orders' })
export class Order {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'jsonb' })
  lines: OrderLine[];

  /** Minor units; bigint in the database, exact as a JS number up to 2^53. */
  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  total: number;

  @Column({ type: 'text' })
  status: OrderStatus;

  @Column({ name: 'cancellation_reason', type: 'text', nullable: true })
  cancellationReason: string | null;

  /** Set from the orders database clock when the order is placed; unpaid by then, it is cancelled. */
  @Column({ name: 'payment_deadline', type: 'timestamptz' })
  paymentDeadline: Date;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @OneToMany(() => OrderStatusChange, (change) => change.order)
  history: OrderStatusChange[];
}
