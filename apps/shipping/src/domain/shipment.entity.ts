import { ApiProperty } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export enum ShipmentStatus {
  Dispatched = 'DISPATCHED',
}

/** One shipment per confirmed order (unique order_id): a second OrderConfirmed ships nothing more. */
@Entity({ name: 'shipments' })
export class Shipment {
  @ApiProperty({ format: 'uuid' })
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'order_id', type: 'uuid', unique: true })
  orderId: string;

  @ApiProperty()
  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  @ApiProperty({ example: 'SIMULATED-POST' })
  @Column({ type: 'text' })
  carrier: string;

  @ApiProperty({ example: 'TRK-3F2A9C1B7D4E' })
  @Column({ name: 'tracking_number', type: 'text', unique: true })
  trackingNumber: string;

  @ApiProperty({ enum: ShipmentStatus })
  @Column({ type: 'text' })
  status: ShipmentStatus;

  @ApiProperty()
  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @ApiProperty()
  @Column({ name: 'dispatched_at', type: 'timestamptz' })
  dispatchedAt: Date;
}
