import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import type { Repository } from 'typeorm';
import { CUSTOMER_ID_DOCS, HasNoNulCharacter } from '../domain/customer-id';
import { Order } from '../domain/order.entity';
import { OrderSummaryDto } from './order-summary.dto';

export class ListOrdersQuery {
  @ApiProperty(CUSTOMER_ID_DOCS)
  @IsString()
  @Length(1, 100)
  @HasNoNulCharacter()
  customerId: string;

  @ApiPropertyOptional({ type: 'integer', default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

@ApiTags('orders')
@Controller('orders')
export class ListOrdersController {
  constructor(@InjectRepository(Order) private readonly orders: Repository<Order>) {}

  /** A customer's orders, newest first. */
  @Get()
  @ApiOkResponse({ type: [OrderSummaryDto] })
  async list(@Query() query: ListOrdersQuery): Promise<OrderSummaryDto[]> {
    const orders = await this.orders.find({ where: { customerId: query.customerId }, order: { createdAt: 'DESC' }, take: query.limit ?? 20 });
    return orders.map(({ id, customerId, status, cancellationReason, currency, total, createdAt }) => ({
      orderId: id,
      customerId,
      status,
      cancellationReason,
      currency,
      total,
      createdAt,
    }));
  }
}
