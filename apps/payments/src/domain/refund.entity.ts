import { ApiProperty } from '@nestjs/swagger';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A completed charge given back because its order was cancelled: at most one per payment (unique payment_id, order_id). */
@Entity({ name: 'refunds' })
export class Refund {
  @ApiProperty({ format: 'uuid' })
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'payment_id', type: 'uuid', unique: true })
  paymentId: string;

  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'order_id', type: 'uuid', unique: true })
  orderId: string;

  @ApiProperty({ type: 'integer', description: 'Minor units (cents)' })
  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  amount: number;

  @ApiProperty({ example: 'EUR' })
  @Column({ type: 'char', length: 3 })
  currency: string;

  @ApiProperty({ description: "The provider's reference of the refund" })
  @Column({ name: 'provider_reference', type: 'text' })
  providerReference: string;

  @ApiProperty()
  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @ApiProperty()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
