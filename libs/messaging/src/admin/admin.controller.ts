import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { quotedTable } from '../database/quoted-table';
import { RetentionJanitor } from '../database/retention-janitor';
import { MessagingHealthIndicators } from '../health/messaging-health';
import { InboxMessage } from '../inbox/inbox-message.entity';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { outboxBacklogOf, runSqlOnDataSource, type OutboxBacklog, type RunSql } from '../outbox/outbox-backlog';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { OutboxRelay } from '../outbox/outbox-relay';
import { flowQuery, inboxQuery, parseQuery, pendingQuery, publishedQuery, releaseBody } from './admin-queries';
import { takeMetricsSnapshot } from './metrics-snapshot';
import { OpsTokenGuard } from './ops-token.guard';
import { countPublished, readFlowEvents, readInboxRecords, readPendingOutbox, readPublishedPage } from './outbox-reads';

/**
 * Operator routes of every service, behind the ops token. The operations console reads a service
 * only through these, so it works when every service has a database of its own.
 */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(OpsTokenGuard)
@Controller('admin/messaging')
export class AdminController {
  private readonly sql: RunSql;
  private readonly outboxRows: OutboxBacklog;

  constructor(
    private readonly relay: OutboxRelay,
    private readonly janitor: RetentionJanitor,
    private readonly indicators: MessagingHealthIndicators,
    private readonly metrics: MessagingMetrics,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.sql = runSqlOnDataSource(dataSource);
    this.outboxRows = outboxBacklogOf(dataSource);
  }

  private get outboxTable(): string {
    return quotedTable(this.dataSource.manager, OutboxMessage);
  }

  /** Outbox backlog and queue depth, as the health monitor last sampled them. */
  @Get()
  status() {
    return { ...this.indicators.outboxBacklog(), ...this.indicators.queueReachable(), ...this.indicators.consumerAlive() };
  }

  /** The consumer's counters and handler durations, for rates and percentiles over time. */
  @Get('metrics')
  metricsSnapshot() {
    return takeMetricsSnapshot(this.metrics);
  }

  /** The outbox's summary, the oldest rows due and not sent, the parked rows, and the scheduled ones soonest first. */
  @Get('outbox')
  async outbox(@Query() query: unknown) {
    const { limit } = parseQuery(pendingQuery, query);
    const [summary, pending, parked, scheduled] = await Promise.all([
      this.outboxRows.summary(),
      readPendingOutbox(this.sql, this.outboxTable, limit),
      this.outboxRows.parked({ limit }),
      this.outboxRows.scheduled({ limit }),
    ]);
    return { summary, pending, parked, scheduled };
  }

  /** Sends parked rows again: one by row id or event id, or all of them. */
  @Post('outbox/release')
  @HttpCode(200)
  async release(@Body() body: unknown) {
    return { released: await this.outboxRows.release(parseQuery(releaseBody, body)) };
  }

  /** Published events of one type still kept, a keyset page at a time: what a replay sends. */
  @Get('outbox/published')
  async published(@Query() query: unknown) {
    const { after, limit, ...filter } = parseQuery(publishedQuery, query);
    const [match, events] = await Promise.all([countPublished(this.sql, this.outboxTable, filter), readPublishedPage(this.sql, this.outboxTable, filter, after, limit)]);
    return { ...match, events };
  }

  /** The events of one business transaction this service published. */
  @Get('flow')
  async flow(@Query() query: unknown) {
    return { events: await readFlowEvents(this.sql, this.outboxTable, parseQuery(flowQuery, query)) };
  }

  /** Which of these events this service handled, and when. */
  @Get('inbox')
  async inbox(@Query() query: unknown) {
    const { eventId } = parseQuery(inboxQuery, query);
    return { handled: await readInboxRecords(this.sql, quotedTable(this.dataSource.manager, InboxMessage), eventId) };
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
