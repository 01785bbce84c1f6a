import { MessagingModule } from '@app/messaging';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Order } from './domain/order.entity';
import { OrderStatusChange } from './domain/order-status-change.entity';
import { GetOrderController } from './get-order/get-order.controller';
import { CreateOrders1732300000100 } from './migrations/1732300000100-create-orders';
import { PaymentOutcomeHandler } from './on-payment-outcome/payment-outcome.handler';
import type { OrdersConfig } from './orders.config';
import { ordersTopology } from './orders.topology';
import { PlaceOrderController } from './place-order/place-order.controller';
import { PlaceOrderService } from './place-order/place-order.service';

export const ordersDatabase = { schema: 'orders', entities: [Order, OrderStatusChange], migrations: [CreateOrders1732300000100] };

@Module({})
export class OrdersModule {
  static forRoot(config: OrdersConfig): DynamicModule {
    return {
      module: OrdersModule,
      imports: [
        MessagingModule.forRoot({ topology: ordersTopology, config: config.messaging, database: ordersDatabase }),
        TypeOrmModule.forFeature([Order, OrderStatusChange]),
      ],
      controllers: [PlaceOrderController, GetOrderController, PaymentOutcomeHandler],
      providers: [PlaceOrderService],
    };
  }
}
