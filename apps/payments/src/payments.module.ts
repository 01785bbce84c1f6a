import { MessagingModule } from '@app/messaging';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChargeOrderHandler } from './charge-order/charge-order.handler';
import { ChargeRequests } from './charge-order/charge-requests';
import { Payment } from './domain/payment.entity';
import { PAYMENT_PROVIDER } from './domain/payment-provider';
import { Refund } from './domain/refund.entity';
import { SimulatedPaymentProvider } from './domain/simulated-payment-provider';
import { ListPaymentsController } from './list-payments/list-payments.controller';
import { CreatePayments1732300000200 } from './migrations/1732300000200-create-payments';
import { RecordPaymentCustomers1732300000201 } from './migrations/1732300000201-record-payment-customers';
import { ChargeOnce1732300000202 } from './migrations/1732300000202-charge-once';
import { PAYMENTS_CONFIG, type PaymentsConfig } from './payments.config';
import { paymentsTopology } from './payments.topology';
import { OrderCancelledHandler } from './refund-cancelled-order/order-cancelled.handler';

export const paymentsDatabase = {
  schema: 'payments',
  entities: [Payment, Refund],
  migrations: [CreatePayments1732300000200, RecordPaymentCustomers1732300000201, ChargeOnce1732300000202],
};

@Module({})
export class PaymentsModule {
  static forRoot(config: PaymentsConfig): DynamicModule {
    return {
      module: PaymentsModule,
      imports: [
        MessagingModule.forRoot({ topology: paymentsTopology, config: config.messaging, database: paymentsDatabase }),
        TypeOrmModule.forFeature([Payment, Refund]),
      ],
      controllers: [ChargeOrderHandler, OrderCancelledHandler, ListPaymentsController],
      providers: [{ provide: PAYMENTS_CONFIG, useValue: config }, ChargeRequests, SimulatedPaymentProvider, { provide: PAYMENT_PROVIDER, useExisting: SimulatedPaymentProvider }],
    };
  }
}
