import { ApiProperty } from '@nestjs/swagger';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { MissingLine, StockLine } from './reservation-plan';
import { MissingLineDto, ReservedLineDto } from './reservation-lines.dto';

export enum ReservationStatus {
  /** Stock is held until orders confirms or cancels the order. */
  Reserved = 'RESERVED',
  /** The order was confirmed: the goods left the shelf for good. */
  Committed = 'COMMITTED',
  /** The order was cancelled: the stock went back on the shelf. */
  Released = 'RELEASED',
  /** Some line was short, so nothing was held. */
  Rejected = 'REJECTED',
  /** The order was cancelled before it was placed here (its OrderCancelled came first): nothing was held. */
  Cancelled = 'CANCELLED',
  /** Lapsed by the reservation sweep of earlier releases; no longer made. */
  Expired = 'EXPIRED',
}

/**
 * One attempt to hold stock for one order (unique order_id): a second OrderPlaced about the same
 * order, whatever its event id, finds it and does nothing.
 */
@Entity({ name: 'reservations' })
export class Reservation {
  @ApiProperty({ format: 'uuid' })
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'order_id', type: 'uuid', unique: true })
  orderId: string;

  @ApiProperty()
  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  /** The order total in minor units, kept to hand on to payments. */
  @ApiProperty({ type: 'integer', description: 'Minor units (cents)' })
  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  amount: number;

  @ApiProperty({ example: 'EUR' })
  @Column({ type: 'char', length: 3 })
  currency: string;

  /** What was asked for, one line per SKU. */
  @ApiProperty({ type: [ReservedLineDto], example: [{ sku: 'SKU-1', quantity: 2 }] })
  @Column({ type: 'jsonb' })
  lines: StockLine[];

  @ApiProperty({ enum: ReservationStatus })
  @Column({ type: 'text' })
  status: ReservationStatus;

  @ApiProperty({ type: [MissingLineDto], description: 'For a rejected reservation: the lines that were short; null otherwise', nullable: true })
  @Column({ type: 'jsonb', nullable: true })
  missing: MissingLine[] | null;

  @ApiProperty()
  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @ApiProperty()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ApiProperty()
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
