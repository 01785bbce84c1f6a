import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { IsUUID } from 'class-validator';
import type { Repository } from 'typeorm';
import { Notification } from '../domain/notification.entity';

export class ListNotificationsQuery {
  @ApiProperty({ format: 'uuid', description: 'The order whose notifications to list' })
  @IsUUID()
  orderId: string;
}

@ApiTags('notifications')
@Controller('notifications')
export class ListNotificationsController {
  constructor(@InjectRepository(Notification) private readonly notifications: Repository<Notification>) {}

  @Get()
  @ApiOkResponse({ type: [Notification] })
  list(@Query() query: ListNotificationsQuery): Promise<Notification[]> {
    return this.notifications.find({ where: { orderId: query.orderId }, order: { createdAt: 'ASC' } });
  }
}
