import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export enum PaymentStatus {
  Completed = 'COMPLETED',
  Declined = 'DECLINED',
  /** Not attempted: the stock hold had lapsed before the charge could start (e.g. payments was down). */
  Expired = 'EXPIRED',
}

/** One charge attempt per order (unique order_id): a redelivered event can never charge twice. */
@Entity({ name: 'payments' })
export class Payment {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'order_id', type: 'uuid', unique: true })
  orderId: string;

  /** Null only for payments taken before customers were recorded. */
  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId: string | null;

  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  amount: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'text' })
  status: PaymentStatus;

  @Column({ name: 'provider_reference', type: 'text', nullable: true })
  providerReference: string | null;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
