import { StockRejected, StockReserved } from '@app/contracts';
import { EventContext, OnEvent, type EventPayload } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { advanceOrder } from '../domain/advance-order';
import { fromEvent } from '../domain/order-event-source';
import { OrderEvent } from '../domain/order-status';

@Controller()
export class StockOutcomeHandler {
  @OnEvent(StockReserved)
  async onStockReserved(@Payload() reserved: EventPayload<typeof StockReserved>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(fromEvent(ctx), reserved.orderId, OrderEvent.StockReserved);
  }

  @OnEvent(StockRejected)
  async onStockRejected(@Payload() rejected: EventPayload<typeof StockRejected>, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOrder(fromEvent(ctx), rejected.orderId, OrderEvent.StockRejected);
  }
}
