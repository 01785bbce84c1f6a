import { ApiProperty } from '@nestjs/swagger';
import { OrderStatus } from '../domain/order-status';
import { OrderSummaryDto } from '../list-orders/order-summary.dto';

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
export class OrderDetailsDto extends OrderSummaryDto {
  @ApiProperty({ type: [OrderLineDto] })
  lines: OrderLineDto[];

  @ApiProperty()
  correlationId: string;

  @ApiProperty({ description: 'Unpaid by then (orders database clock), the order is cancelled PAYMENT_TIMEOUT' })
  paymentDeadline: Date;

  @ApiProperty({ type: [OrderStatusChangeDto], description: 'Oldest first' })
  history: OrderStatusChangeDto[];
}
