import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { IsUUID } from 'class-validator';
import type { Repository } from 'typeorm';
import { Reservation } from '../domain/reservation.entity';

export class ListReservationsQuery {
  @ApiProperty({ format: 'uuid', description: 'The order whose reservations to list' })
  @IsUUID()
  orderId: string;
}

@ApiTags('reservations')
@Controller('reservations')
export class ListReservationsController {
  constructor(@InjectRepository(Reservation) private readonly reservations: Repository<Reservation>) {}

  @Get()
  @ApiOkResponse({ type: [Reservation] })
  list(@Query() query: ListReservationsQuery): Promise<Reservation[]> {
    return this.reservations.find({ where: { orderId: query.orderId }, order: { createdAt: 'ASC' } });
  }
}
