import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus registry. One registry per app instance rather than prom-client's global
 * one, so several apps can live in one process (tests) without clashing.
 */
@Injectable()
export class MessagingMetrics {
  readonly registry = new Registry();

  readonly published = new Counter({ name: 'messaging_events_published_total', help: 'Events accepted by SNS', labelNames: ['type'], registers: [this.registry] });
  readonly publishFailures = new Counter({ name: 'messaging_publish_failures_total', help: 'Outbox events SNS refused or could not take', labelNames: ['type'], registers: [this.registry] });
  readonly relayLag = new Histogram({
    name: 'messaging_relay_lag_seconds',
    help: 'Time from outbox commit to SNS acceptance',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly relayClaims = new Counter({
    name: 'messaging_relay_claims_total',
    help: 'Relay claim transactions, by whether they found rows (empty ones are the price of never missing a commit)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly outboxParked = new Gauge({
    name: 'messaging_outbox_parked',
    help: 'Outbox rows the relay gave up on, waiting for an operator (ops outbox release)',
    registers: [this.registry],
  });
  readonly outboxParkedTotal = new Counter({
    name: 'messaging_outbox_parked_total',
    help: 'Outbox rows this replica parked, by cause (refused: cannot succeed; attempts: OUTBOX_MAX_ATTEMPTS spent)',
    labelNames: ['type', 'cause'],
    registers: [this.registry],
  });
  readonly outboxOldestPendingSeconds = new Gauge({ name: 'messaging_outbox_oldest_pending_seconds', help: 'Age of the oldest unsent outbox event', registers: [this.registry] });
  readonly databaseOutage = new Gauge({
    name: 'messaging_consumer_database_outage',
    help: '1 while the consumer holds its receives because the service database does not answer',
    registers: [this.registry],
  });
  readonly received = new Counter({ name: 'messaging_messages_received_total', help: 'Messages received from SQS', labelNames: ['type'], registers: [this.registry] });
  readonly handled = new Counter({ name: 'messaging_messages_handled_total', help: 'Messages handled and acknowledged', labelNames: ['type'], registers: [this.registry] });
  readonly retried = new Counter({ name: 'messaging_messages_retried_total', help: 'Handler failures scheduled for retry', labelNames: ['type', 'code'], registers: [this.registry] });
  readonly deadLettered = new Counter({ name: 'messaging_messages_dead_lettered_total', help: 'Messages moved to the DLQ by the consumer', labelNames: ['type', 'code'], registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'messaging_messages_duplicate_total', help: 'Redeliveries skipped by the inbox', labelNames: ['type'], registers: [this.registry] });
  readonly handlerDuration = new Histogram({
    name: 'messaging_handler_duration_seconds',
    help: 'How long the handler ran (inside its transaction; the inbox insert and the commit are not counted)',
    labelNames: ['type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly scheduledRuns = new Counter({
    name: 'messaging_scheduled_job_runs_total',
    help: 'Scheduled job attempts by outcome (ran, busy, not-due, overlapping, failed)',
    labelNames: ['job', 'outcome'],
    registers: [this.registry],
  });

  // Sampled on a timer by the health monitor, never as a side effect of a probe.
  readonly brokerReachable = new Gauge({ name: 'messaging_broker_reachable', help: '1 when the last sample reached the service queue (SQS), 0 when it did not', registers: [this.registry] });
  readonly queueMessages = new Gauge({ name: 'messaging_queue_messages', help: 'Messages in the service queue at the last sample, by state (visible, in_flight)', labelNames: ['state'], registers: [this.registry] });
  readonly outboxPending = new Gauge({ name: 'messaging_outbox_pending', help: 'Outbox events due and not sent at the last sample', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
