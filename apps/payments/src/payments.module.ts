import { MessagingModule } from '@app/messaging';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChargeOrderHandler } from './charge-order/charge-order.handler';
import { Payment } from './domain/payment.entity';
import { SimulatedPaymentProvider } from './domain/simulated-payment-provider';
import { ListPaymentsController } from './list-payments/list-payments.controller';
import { CreatePayments1732300000200 } from './migrations/1732300000200-create-payments';
import { RecordPaymentCustomers1732300000201 } from './migrations/1732300000201-record-payment-customers';
import { PAYMENTS_CONFIG, type PaymentsConfig } from './payments.config';
import { paymentsTopology } from './payments.topology';

export const paymentsDatabase = { schema: 'payments', entities: [Payment], migrations: [CreatePayments1732300000200, RecordPaymentCustomers1732300000201] };

@Module({})
export class PaymentsModule {
  static forRoot(config: PaymentsConfig): DynamicModule {
    return {
      module: PaymentsModule,
      imports: [
        MessagingModule.forRoot({ topology: paymentsTopology, config: config.messaging, database: paymentsDatabase }),
        TypeOrmModule.forFeature([Payment]),
      ],
      controllers: [ChargeOrderHandler, ListPaymentsController],
      providers: [{ provide: PAYMENTS_CONFIG, useValue: config }, SimulatedPaymentProvider],
    };
  }
}
