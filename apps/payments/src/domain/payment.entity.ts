import { ApiProperty } from '@nestjs/swagger';
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
  @ApiProperty({ format: 'uuid' })
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'order_id', type: 'uuid', unique: true })
  orderId: string;

  /** Null only for payments taken before customers were recorded. */
  @ApiProperty({ type: 'string', nullable: true })
  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId: string | null;

  @ApiProperty({ type: 'integer', description: 'Minor units (cents)' })
  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  amount: number;

  @ApiProperty({ example: 'EUR' })
  @Column({ type: 'char', length: 3 })
  currency: string;

  @ApiProperty({ enum: PaymentStatus })
  @Column({ type: 'text' })
  status: PaymentStatus;

  @ApiProperty({ type: 'string', nullable: true, description: "The provider's reference of the charge; null when it was never charged" })
  @Column({ name: 'provider_reference', type: 'text', nullable: true })
  providerReference: string | null;

  @ApiProperty()
  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @ApiProperty()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
