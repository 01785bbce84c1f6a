import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { OpsTokenGuard } from '../admin/ops-token.guard';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { MessagingHealthIndicators } from './messaging-health';

/**
 * Liveness: the process serves and its consumer is not stuck; a database or broker outage must not
 * get every replica restarted. Readiness: what this replica needs to serve requests, which is its
 * database, answered within HEALTH_READY_TIMEOUT_MS (else 503, never a hang). The broker and the
 * outbox are shared downstreams: their trouble shows in the metrics and in /health/details (behind
 * the ops token: it names queues and errors), and never takes a replica out of its load balancer.
 */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly messaging: MessagingHealthIndicators,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.messaging.consumerAlive()]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.database.pingCheck('database', { timeout: this.options.config.health.readyTimeoutMs })]);
  }

  @Get('details')
  @UseGuards(OpsTokenGuard)
  @HealthCheck()
  details() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: this.options.config.health.readyTimeoutMs }),
      () => this.messaging.consumerAlive(),
      () => this.messaging.queueReachable(),
      () => this.messaging.outboxBacklog(),
    ]);
  }
}
