import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ReceiveGate } from '../consumer/receive-gate';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { HealthMonitor } from './health-monitor';

/**
 * Indicators report "down" with a reason; they never throw into the health endpoint, and none of
 * them calls anything: the consumer's own clock and the monitor's last sample are all they read.
 */
@Injectable()
export class MessagingHealthIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly monitor: HealthMonitor,
    private readonly gate: ReceiveGate,
  ) {}

  /** Alerting threshold: an outbox event older than this means the relay is not keeping up. */
  private get backlogThresholdSeconds(): number {
    return Math.max(60, (this.options.config.outbox.pollIntervalMs / 1000) * 10);
  }

  /**
   * The consumer completed a receive, finished a handler or re-checked why it waits (an outage, a
   * broker backing off, a queue still being located) within CONSUMER_STALL_SECONDS. Otherwise it is stuck, and a
   * restart is the cure: this is the liveness check.
   */
  consumerAlive(): HealthIndicatorResult {
    const indicator = this.health.check('consumer');
    if (this.options.topology.consumes.length === 0) return indicator.up({ consumes: false });
    const sinceLastActivitySeconds = Math.round((Date.now() - this.gate.lastActivityAt) / 100) / 10;
    const limit = this.options.config.consumer.stallSeconds;
    return sinceLastActivitySeconds > limit ? indicator.down({ sinceLastActivitySeconds, limit }) : indicator.up({ sinceLastActivitySeconds });
  }

  /** The last sample of the outbox: due events waiting too long, or parked ones, are "down" here (not in readiness). */
  outboxBacklog(): HealthIndicatorResult {
    const indicator = this.health.check('outbox');
    const sample = this.monitor.outbox;
    if (!sample) return indicator.down({ message: 'not sampled yet' });
    if (!sample.ok) return indicator.down({ message: sample.error, checkedAt: sample.checkedAt });
    const details = {
      pending: sample.pending,
      oldestPendingSeconds: sample.oldestPendingAgeSeconds ?? 0,
      thresholdSeconds: this.backlogThresholdSeconds,
      parked: sample.parked,
      checkedAt: sample.checkedAt,
    };
    return (sample.oldestPendingAgeSeconds ?? 0) > this.backlogThresholdSeconds || sample.parked > 0 ? indicator.down(details) : indicator.up(details);
  }

  /** The last sample of the broker, with the consumer's own view of its receives. */
  queueReachable(): HealthIndicatorResult {
    const indicator = this.health.check('sqs');
    if (this.options.topology.consumes.length === 0) return indicator.up({ consumes: false });
    const sample = this.monitor.broker;
    if (!sample) return indicator.down({ message: 'not sampled yet' });
    const details = { ...sample, failedReceivesInARow: this.gate.consecutiveBrokerFailures };
    return sample.reachable ? indicator.up(details) : indicator.down(details);
  }
}
