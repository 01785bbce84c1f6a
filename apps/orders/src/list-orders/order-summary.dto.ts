import { ApiProperty } from '@nestjs/swagger';
import { CancellationReason, OrderStatus } from '../domain/order-status';

/** An order as GET /orders lists it; GET /orders/:id answers the same fields and more. */
export class OrderSummaryDto {
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

  @ApiProperty()
  createdAt: Date;
}
