import { MessagingModule, ProcessManagerModule, SchedulingModule } from '@app/messaging';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Order } from './domain/order.entity';
import { OrderStatusChange } from './domain/order-status-change.entity';
import { PaymentDeadlineProcess } from './expire-unpaid-order/payment-deadline.process';
import { GetOrderController } from './get-order/get-order.controller';
import { ListOrdersController } from './list-orders/list-orders.controller';
import { CreateOrders1732300000100 } from './migrations/1732300000100-create-orders';
import { CreateIdempotencyKeys1732300000101 } from './migrations/1732300000101-create-idempotency-keys';
import { AddPaymentDeadline1732300000102 } from './migrations/1732300000102-add-payment-deadline';
import { SchedulePaymentDeadlines1732300000103 } from './migrations/1732300000103-schedule-payment-deadlines';
import { PaymentOutcomeHandler } from './on-payment-outcome/payment-outcome.handler';
import { ShipmentDispatchedHandler } from './on-shipment-dispatched/shipment-dispatched.handler';
import { StockOutcomeHandler } from './on-stock-outcome/stock-outcome.handler';
import { ORDERS_CONFIG, type OrdersConfig } from './orders.config';
import { ordersTopology } from './orders.topology';
import { IdempotencyKey } from './place-order/idempotency-key.entity';
import { PlaceOrderController } from './place-order/place-order.controller';
import { PlaceOrderService } from './place-order/place-order.service';
import { IdempotencyKeyPurgeJob } from './purge-idempotency-keys/idempotency-key-purge.job';

export const ordersDatabase = {
  schema: 'orders',
  entities: [Order, OrderStatusChange, IdempotencyKey],
  migrations: [CreateOrders1732300000100, CreateIdempotencyKeys1732300000101, AddPaymentDeadline1732300000102, SchedulePaymentDeadlines1732300000103],
};

@Module({})
export class OrdersModule {
  static forRoot(config: OrdersConfig): DynamicModule {
    return {
      module: OrdersModule,
      imports: [
        MessagingModule.forRoot({ topology: ordersTopology, config: config.messaging, database: ordersDatabase }),
        SchedulingModule,
        ProcessManagerModule,
        TypeOrmModule.forFeature([Order, OrderStatusChange]),
      ],
      controllers: [PlaceOrderController, ListOrdersController, GetOrderController, StockOutcomeHandler, PaymentOutcomeHandler, ShipmentDispatchedHandler],
      providers: [{ provide: ORDERS_CONFIG, useValue: config }, PlaceOrderService, IdempotencyKeyPurgeJob, PaymentDeadlineProcess],
    };
  }
}
