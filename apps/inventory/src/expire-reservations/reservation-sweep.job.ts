import { StockReservationExpired } from '@app/contracts';
import { ScheduledJob, type ScheduledRun } from '@app/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { INVENTORY_CONFIG, type InventoryConfig } from '../inventory.config';
import { Reservation, ReservationStatus } from '../domain/reservation.entity';
import { returnToShelf } from '../domain/stock-shelf';

/** At most this many holds per run; a bigger backlog drains over the following intervals. */
const SWEEP_BATCH = 200;

/**
 * Gives back stock held for orders that were never paid. Runs once per interval across all
 * replicas; each expired hold is released, and announced with the correlation id of the order it
 * was made for, so the order's story stays in one trace.
 */
@Injectable()
export class ReservationSweepJob extends ScheduledJob {
  readonly name = 'reservation-sweep';
  readonly intervalMs: number;

  constructor(@Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig) {
    super();
    this.intervalMs = config.sweepIntervalMs;
  }

  async run(run: ScheduledRun): Promise<void> {
    // SKIP LOCKED: a hold a payment handler is settling right now is left for the next run.
    const expired: Reservation[] = await run.manager
      .createQueryBuilder(Reservation, 'reservation')
      .where('reservation.status = :status', { status: ReservationStatus.Reserved })
      .andWhere('reservation.expiresAt <= now() - make_interval(secs => :grace)', { grace: this.config.expiryGraceSeconds })
      .orderBy('reservation.expiresAt', 'ASC')
      .limit(SWEEP_BATCH)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
    if (expired.length === 0) return;

    // One return for all of them, so the stock rows are locked once and in SKU order.
    await returnToShelf(run.manager, expired.flatMap((reservation) => reservation.lines));
    await run.manager.update(Reservation, { id: In(expired.map((reservation) => reservation.id)) }, { status: ReservationStatus.Expired });
    const expiredAt = new Date().toISOString();
    for (const reservation of expired) {
      await run.publish(
        StockReservationExpired,
        { reservationId: reservation.id, orderId: reservation.orderId, customerId: reservation.customerId, lines: reservation.lines, expiredAt },
        { subject: reservation.orderId, correlationId: reservation.correlationId },
      );
    }
  }
}
