import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { IsUUID } from 'class-validator';
import type { Repository } from 'typeorm';
import { Shipment } from '../domain/shipment.entity';

export class ListShipmentsQuery {
  @ApiProperty({ format: 'uuid', description: 'The order whose shipments to list' })
  @IsUUID()
  orderId: string;
}

@ApiTags('shipments')
@Controller('shipments')
export class ListShipmentsController {
  constructor(@InjectRepository(Shipment) private readonly shipments: Repository<Shipment>) {}

  @Get()
  @ApiOkResponse({ type: [Shipment] })
  list(@Query() query: ListShipmentsQuery): Promise<Shipment[]> {
    return this.shipments.find({ where: { orderId: query.orderId }, order: { dispatchedAt: 'ASC' } });
  }
}
