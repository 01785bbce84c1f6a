import { ApiProperty } from '@nestjs/swagger';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export enum PaymentStatus {
  /** Committed before the provider is called: a charge may be under way; whoever handles the order next finishes it. */
  Requested = 'REQUESTED',
  Completed = 'COMPLETED',
  Declined = 'DECLINED',
  /** Never sent to the provider: the order was known cancelled when its stock was reported held. */
  NotCharged = 'NOT_CHARGED',
  /** Not attempted by earlier releases, whose holds lapsed on inventory's clock; no longer made. */
  Expired = 'EXPIRED',
}

/** One charge per order (unique order_id): a redelivered or second event about the order finds it. */
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
