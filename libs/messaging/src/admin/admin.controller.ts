import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RetentionJanitor } from '../database/retention-janitor';
import { MessagingHealthIndicators } from '../health/messaging-health';
import { OutboxRelay } from '../outbox/outbox-relay';
import { OpsTokenGuard } from './ops-token.guard';

/** Operator routes of every service, behind the ops token. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(OpsTokenGuard)
@Controller('admin/messaging')
export class AdminController {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly janitor: RetentionJanitor,
    private readonly indicators: MessagingHealthIndicators,
  ) {}

  /** Outbox backlog and queue depth, as the readiness check sees them. */
  @Get()
  async status() {
    const [outbox, queue] = await Promise.all([this.indicators.outboxBacklog(), this.indicators.queueReachable()]);
    return { ...outbox, ...queue, ...this.indicators.consumerAlive() };
  }

  /** Relays whatever is pending now instead of waiting for the next poll. */
  @Post('outbox/relay')
  @HttpCode(202)
  async relayNow(): Promise<{ relayed: true }> {
    await this.relay.drain();
    return { relayed: true };
  }

  /** Deletes messaging rows past their retention now. */
  @Post('retention/sweep')
  sweep() {
    return this.janitor.sweep();
  }
}
