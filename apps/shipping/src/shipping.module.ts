import { MessagingModule } from '@app/messaging';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DispatchShipmentHandler } from './dispatch-shipment/dispatch-shipment.handler';
import { Shipment } from './domain/shipment.entity';
import { ListShipmentsController } from './list-shipments/list-shipments.controller';
import { CreateShipments1732300000500 } from './migrations/1732300000500-create-shipments';
import { SHIPPING_CONFIG, type ShippingConfig } from './shipping.config';
import { shippingTopology } from './shipping.topology';

export const shippingDatabase = { schema: 'shipping', entities: [Shipment], migrations: [CreateShipments1732300000500] };

@Module({})
export class ShippingModule {
  static forRoot(config: ShippingConfig): DynamicModule {
    return {
      module: ShippingModule,
      imports: [MessagingModule.forRoot({ topology: shippingTopology, config: config.messaging, database: shippingDatabase }), TypeOrmModule.forFeature([Shipment])],
      controllers: [DispatchShipmentHandler, ListShipmentsController],
      providers: [{ provide: SHIPPING_CONFIG, useValue: config }],
    };
  }
}
