import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { IsUUID } from 'class-validator';
import type { Repository } from 'typeorm';
import { Payment } from '../domain/payment.entity';

export class ListPaymentsQuery {
  @ApiProperty({ format: 'uuid', description: 'The order whose payments to list' })
  @IsUUID()
  orderId: string;
}

@ApiTags('payments')
@Controller('payments')
export class ListPaymentsController {
  constructor(@InjectRepository(Payment) private readonly payments: Repository<Payment>) {}

  @Get()
  @ApiOkResponse({ type: [Payment] })
  list(@Query() query: ListPaymentsQuery): Promise<Payment[]> {
    return this.payments.find({ where: { orderId: query.orderId }, order: { createdAt: 'ASC' } });
  }
}
