import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { IsUUID } from 'class-validator';
import type { Repository } from 'typeorm';
import { Payment } from '../domain/payment.entity';
import { Refund } from '../domain/refund.entity';

export class ListPaymentsQuery {
  @ApiProperty({ format: 'uuid', description: 'The order whose payments or refunds to list' })
  @IsUUID()
  orderId: string;
}

@ApiTags('payments')
@Controller()
export class ListPaymentsController {
  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    @InjectRepository(Refund) private readonly refunds: Repository<Refund>,
  ) {}

  @Get('payments')
  @ApiOkResponse({ type: [Payment] })
  @ApiBadRequestResponse({ description: 'orderId is not a UUID' })
  list(@Query() query: ListPaymentsQuery): Promise<Payment[]> {
    return this.payments.find({ where: { orderId: query.orderId }, order: { createdAt: 'ASC' } });
  }

  /** Charges given back because their order was cancelled. */
  @Get('refunds')
  @ApiOkResponse({ type: [Refund] })
  @ApiBadRequestResponse({ description: 'orderId is not a UUID' })
  listRefunds(@Query() query: ListPaymentsQuery): Promise<Refund[]> {
    return this.refunds.find({ where: { orderId: query.orderId }, order: { createdAt: 'ASC' } });
  }
}
