import { MessagingModule } from '@app/messaging';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { BillingConfig } from './billing.config';
import { billingTopology } from './billing.topology';
import { Invoice } from './domain/invoice.entity';
import { IssueInvoiceHandler } from './issue-invoice/issue-invoice.handler';
import { CreateInvoices1732300000400 } from './migrations/1732300000400-create-invoices';
import { InvoicesController } from './view-invoices/invoices.controller';

export const billingDatabase = { schema: 'billing', entities: [Invoice], migrations: [CreateInvoices1732300000400] };

@Module({})
export class BillingModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: BillingModule,
      imports: [MessagingModule.forRoot({ topology: billingTopology, config: config.messaging, database: billingDatabase }), TypeOrmModule.forFeature([Invoice])],
      controllers: [IssueInvoiceHandler, InvoicesController],
    };
  }
}
