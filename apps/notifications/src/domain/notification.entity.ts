import { ApiProperty } from '@nestjs/swagger';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export enum NotificationChannel {
  Email = 'email',
}

/** A message a customer would be sent: one per event (unique event_id), never sent anywhere. */
@Entity({ name: 'notifications' })
export class Notification {
  @ApiProperty({ format: 'uuid' })
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The event this message is about' })
  @Column({ name: 'event_id', type: 'text', unique: true })
  eventId: string;

  @ApiProperty({ example: 'shop.shipment.dispatched.v1' })
  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ApiProperty()
  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  @ApiProperty({ enum: NotificationChannel })
  @Column({ type: 'text' })
  channel: NotificationChannel;

  @ApiProperty({ description: 'A placeholder address: customers have no contact details in this shop', example: 'customer-42@example.invalid' })
  @Column({ type: 'text' })
  recipient: string;

  @ApiProperty()
  @Column({ type: 'text' })
  subject: string;

  @ApiProperty()
  @Column({ type: 'text' })
  text: string;

  @ApiProperty()
  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @ApiProperty()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
