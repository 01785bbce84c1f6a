import { ApiProperty } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One invoice per confirmed order (unique order_id and payment_id), numbered without gaps per year, in date order. */
@Entity({ name: 'invoices' })
export class Invoice {
  @ApiProperty({ format: 'uuid' })
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @ApiProperty({ example: 'INV-2026-000042' })
  @Column({ type: 'text', unique: true })
  number: string;

  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'order_id', type: 'uuid', unique: true })
  orderId: string;

  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'payment_id', type: 'uuid', unique: true })
  paymentId: string;

  @ApiProperty()
  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  @ApiProperty({ type: 'integer', description: 'Minor units (cents)' })
  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  amount: number;

  @ApiProperty({ example: 'EUR' })
  @Column({ type: 'char', length: 3 })
  currency: string;

  @ApiProperty()
  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @ApiProperty()
  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt: Date;
}
