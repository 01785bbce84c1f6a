import { BadRequestException, Controller, Get, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Order } from '../domain/order.entity';
import { OrderDetailsDto } from './order-details.dto';

@ApiTags('orders')
@Controller('orders')
export class GetOrderController {
  constructor(@InjectRepository(Order) private readonly orders: Repository<Order>) {}

  @Get(':id')
  @ApiParam({
    name: 'id',
    description: 'A version 4 UUID, as POST /orders answers it',
    schema: { type: 'string', format: 'uuid', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$' },
  })
  @ApiOkResponse({ type: OrderDetailsDto, description: 'The order with its totals, correlation id and status history' })
  @ApiNotFoundResponse()
  // The pipe's own message does not say which parameter is wrong; answer like the body validation does.
  async get(@Param('id', new ParseUUIDPipe({ version: '4', exceptionFactory: () => new BadRequestException(['id must be a UUID (version 4)']) })) id: string) {
    const order = await this.orders.findOne({ where: { id }, relations: { history: true }, order: { history: { id: 'ASC' } } });
    if (!order) throw new NotFoundException(`Order ${id} not found`);
    return {
      orderId: order.id,
      customerId: order.customerId,
      status: order.status,
      cancellationReason: order.cancellationReason,
      currency: order.currency,
      total: order.total,
      lines: order.lines,
      correlationId: order.correlationId,
      createdAt: order.createdAt,
      paymentDeadline: order.paymentDeadline,
      history: order.history.map(({ status, reason, causedByEventId, correlationId, at }) => ({ status, reason, causedByEventId, correlationId, at })),
    };
  }
}
