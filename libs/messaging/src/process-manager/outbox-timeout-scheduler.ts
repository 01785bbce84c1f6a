import { Injectable } from '@nestjs/common';
import { MessagingError } from '../errors/messaging-errors';
import type { ScheduledTimeout, TimeoutScheduler } from './timeout-scheduler';

class TimeoutsUnavailableError extends MessagingError {
  readonly code = 'TIMEOUTS_UNAVAILABLE';
}

/** Durable timeouts on the outbox's delayed delivery (to the service's own queue). */
@Injectable()
export class OutboxTimeoutScheduler implements TimeoutScheduler {
  async schedule(): Promise<ScheduledTimeout> {
    throw new TimeoutsUnavailableError('Process-manager timeouts need delayed delivery in the outbox');
  }

  async cancel(): Promise<void> {
    throw new TimeoutsUnavailableError('Process-manager timeouts need delayed delivery in the outbox');
  }
}
