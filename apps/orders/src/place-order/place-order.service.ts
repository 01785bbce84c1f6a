import { OrderPlaced } from '@app/contracts';
import { currentMessageContext, Outbox } from '@app/messaging';
import { HttpStatus, Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { Order } from '../domain/order.entity';
import { OrderStatus } from '../domain/order-status';
import { OrderStatusChange } from '../domain/order-status-change.entity';
import { PaymentDeadlineProcess } from '../expire-unpaid-order/payment-deadline.process';
import { ORDERS_CONFIG, type OrdersConfig } from '../orders.config';
import { IdempotencyKey } from './idempotency-key.entity';
import { requestFingerprint } from './idempotency';
import type { OrderAcceptedDto, PlaceOrderDto } from './place-order.dto';

export interface PlaceOrderOutcome {
  statusCode: number;
  body: OrderAcceptedDto;
  /** True when this is the stored answer to an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

@Injectable()
export class PlaceOrderService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
    private readonly paymentDeadline: PaymentDeadlineProcess,
  ) {}

  /**
   * The order, its first history entry, the OrderPlaced event and the idempotency key commit
   * together or not at all. The payment deadline comes from the database clock, the one every
   * replica of orders shares, so whichever replica checks it agrees. With a key, a request seen before gets the first answer again and
   * creates nothing.
   */
  async place(request: PlaceOrderDto, idempotencyKey?: string): Promise<PlaceOrderOutcome> {
    return this.dataSource.transaction(async (manager) => {
      if (idempotencyKey) {
        const earlier = await this.earlierAnswer(manager, idempotencyKey, requestFingerprint(request));
        if (earlier) return { statusCode: earlier.statusCode, body: earlier.response as OrderAcceptedDto, replayed: true };
      }
      const order = await this.createOrder(manager, request);
      const outcome = { statusCode: HttpStatus.ACCEPTED, body: { orderId: order.id, status: order.status }, replayed: false };
      if (idempotencyKey) {
        await manager.insert(IdempotencyKey, {
          key: idempotencyKey,
          requestFingerprint: requestFingerprint(request),
          statusCode: outcome.statusCode,
          response: outcome.body,
          orderId: order.id,
        });
      }
      return outcome;
    });
  }

  /**
   * Two requests with one key can arrive together (a client retrying on a timeout): the advisory
   * lock makes the second wait until the first commits, and then find its answer.
   */
  private async earlierAnswer(manager: EntityManager, key: string, fingerprint: string): Promise<IdempotencyKey | null> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`idempotency-key:${key}`]);
    const earlier = await manager.findOneBy(IdempotencyKey, { key });
    if (earlier && earlier.requestFingerprint !== fingerprint) {
      throw new UnprocessableEntityException('This Idempotency-Key was used with a different request body; use a new key for a new order');
    }
    return earlier;
  }

  private async createOrder(manager: EntityManager, request: PlaceOrderDto): Promise<Order> {
    const correlationId = currentMessageContext()?.correlationId ?? randomUUID();
    const lines = request.items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice }));
    const total = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
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
    const [{ deadline }]: { deadline: Date }[] = await manager.query(`SELECT now() + make_interval(secs => $1) AS deadline`, [this.config.paymentTimeoutSeconds]);
    order.paymentDeadline = deadline;
    await manager.insert(Order, order);
    await this.paymentDeadline.start(manager, order);
    await manager.insert(OrderStatusChange, { orderId: order.id, status: OrderStatus.Placed, reason: null, causedByEventId: null, correlationId });
    await this.outbox.publish(manager, OrderPlaced, { orderId: order.id, customerId: order.customerId, currency: order.currency, lines, total }, { subject: order.id });
    return order;
  }
}
