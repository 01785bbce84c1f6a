import { ApiProperty } from '@nestjs/swagger';
import { CancellationReason, OrderStatus } from '../domain/order-status';

export class OrderLineDto {
  @ApiProperty({ example: 'SKU-RED-SHIRT' })
  sku: string;

  @ApiProperty({ type: 'integer', example: 2 })
  quantity: number;

  @ApiProperty({ type: 'integer', description: 'Price of one unit in minor units (cents)', example: 1999 })
  unitPrice: number;
}

export class OrderStatusChangeDto {
  @ApiProperty({ enum: OrderStatus, enumName: 'OrderStatus' })
  status: string;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why the order moved, where there is a reason (a cancellation)', example: null })
  reason: string | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'The event that caused the change; null for the request that placed the order' })
  causedByEventId: string | null;

  @ApiProperty()
  correlationId: string;

  @ApiProperty()
  at: Date;
}

/** An order as GET /orders/:id answers it: totals, lines and every status it reached. */
export class OrderDetailsDto {
  @ApiProperty({ format: 'uuid' })
  orderId: string;

  @ApiProperty()
  customerId: string;

  @ApiProperty({ enum: OrderStatus, enumName: 'OrderStatus', example: OrderStatus.Shipped })
  status: string;

  @ApiProperty({ enum: CancellationReason, enumName: 'CancellationReason', nullable: true, description: 'Why a CANCELLED order was cancelled; null otherwise' })
  cancellationReason: string | null;

  @ApiProperty({ example: 'EUR' })
  currency: string;

  @ApiProperty({ type: 'integer', description: 'Minor units (cents)' })
  total: number;

  @ApiProperty({ type: [OrderLineDto] })
  lines: OrderLineDto[];

  @ApiProperty()
  correlationId: string;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty({ description: 'Unpaid by then (orders database clock), the order is cancelled PAYMENT_TIMEOUT' })
  paymentDeadline: Date;

  @ApiProperty({ type: [OrderStatusChangeDto], description: 'Oldest first' })
  history: OrderStatusChangeDto[];
}
