import { MessagingModule } from '@app/messaging';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Reservation } from './domain/reservation.entity';
import { StockItem } from './domain/stock-item.entity';
import type { InventoryConfig } from './inventory.config';
import { inventoryTopology } from './inventory.topology';
import { ListReservationsController } from './list-reservations/list-reservations.controller';
import { StockController } from './manage-stock/stock.controller';
import { CreateStock1732300000300 } from './migrations/1732300000300-create-stock';
import { TrackHeldStock1732300000301 } from './migrations/1732300000301-track-held-stock';
import { OrderDecisionHandler } from './on-order-decision/order-decision.handler';
import { ReserveStockHandler } from './reserve-stock/reserve-stock.handler';

export const inventoryDatabase = {
  schema: 'inventory',
  entities: [StockItem, Reservation],
  migrations: [CreateStock1732300000300, TrackHeldStock1732300000301],
};

@Module({})
export class InventoryModule {
  static forRoot(config: InventoryConfig): DynamicModule {
    return {
      module: InventoryModule,
      imports: [
        MessagingModule.forRoot({ topology: inventoryTopology, config: config.messaging, database: inventoryDatabase }),
        TypeOrmModule.forFeature([StockItem, Reservation]),
      ],
      controllers: [StockController, ListReservationsController, ReserveStockHandler, OrderDecisionHandler],
    };
  }
}
