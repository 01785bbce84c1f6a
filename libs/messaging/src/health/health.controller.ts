import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { MessagingHealthIndicators } from './messaging-health';

/**
 * Liveness says only that the process serves requests: a database or broker outage must not get
 * every replica restarted. Readiness checks what serving needs: database, queue, relay, consumer.
 */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly messaging: MessagingHealthIndicators,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      () => this.messaging.queueReachable(),
      () => this.messaging.outboxBacklog(),
      () => this.messaging.consumerAlive(),
    ]);
  }
}
