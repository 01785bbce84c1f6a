import { OrderPlaced } from '@app/contracts';
import { currentMessageContext, Outbox } from '@app/messaging';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Order } from '../domain/order.entity';
import { OrderStatus } from '../domain/order-status';
import { OrderStatusChange } from '../domain/order-status-change.entity';
import type { PlaceOrderDto } from './place-order.dto';

@Injectable()
export class PlaceOrderService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** The order, its first history entry and the OrderPlaced event commit together or not at all. */
  async place(request: PlaceOrderDto): Promise<Order> {
    const correlationId = currentMessageContext()?.correlationId ?? randomUUID();
    const lines = request.items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice }));
    const total = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
    return this.dataSource.transaction(async (manager) => {
      const order = manager.create(Order, {
        id: randomUUID(),
        customerId: request.customerId,
        currency: request.currency.toUpperCase(),
        lines,
        total,
        status: OrderStatus.Placed,
        cancellationReason: null,
        correlationId,
      });
      await manager.insert(Order, order);
      await manager.insert(OrderStatusChange, { orderId: order.id, status: OrderStatus.Placed, reason: null, causedByEventId: null, correlationId });
      await this.outbox.publish(
        manager,
        OrderPlaced,
        { orderId: order.id, customerId: order.customerId, currency: order.currency, lines, total },
        { subject: order.id },
      );
      return order;
    });
  }
}
