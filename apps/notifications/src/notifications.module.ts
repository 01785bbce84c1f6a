import { MessagingModule } from '@app/messaging';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Notification } from './domain/notification.entity';
import { ListNotificationsController } from './list-notifications/list-notifications.controller';
import { CreateNotifications1732300000600 } from './migrations/1732300000600-create-notifications';
import type { NotificationsConfig } from './notifications.config';
import { notificationsTopology } from './notifications.topology';
import { RecordNotificationHandler } from './record-notification/record-notification.handler';

export const notificationsDatabase = { schema: 'notifications', entities: [Notification], migrations: [CreateNotifications1732300000600] };

@Module({})
export class NotificationsModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [
        MessagingModule.forRoot({ topology: notificationsTopology, config: config.messaging, database: notificationsDatabase }),
        TypeOrmModule.forFeature([Notification]),
      ],
      controllers: [RecordNotificationHandler, ListNotificationsController],
    };
  }
}
