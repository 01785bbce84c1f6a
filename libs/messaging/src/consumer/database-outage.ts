import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { jitteredBackoffMs } from '../timing/jittered-backoff';
import { ReceiveGate } from './receive-gate';

/**
 * Errors that look like a connection failing rather than a statement failing: refused, reset or
 * timed-out sockets, the server shutting down or starting up, connection-class SQLSTATEs. A
 * handler's own HTTP call fails with the same socket codes, so this alone decides nothing:
 * `DatabaseOutage` asks the service's database before calling it an outage.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const SERVER_UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03']);
const CONNECTION_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|not currently accepting connections|Client has encountered a connection error/i;

export function looksLikeConnectionFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.size < 10) {
    const current = pending.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const { code, message, cause, driverError } = current as { code?: unknown; message?: unknown; cause?: unknown; driverError?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
    // TypeORM keeps the pg error as driverError; wrappers keep theirs as cause.
    pending.push(cause, driverError);
  }
  return false;
}

const PROBE_TIMEOUT_MS = 2000;
const PROBE_BACKOFF = { baseMs: 250, maxMs: 5000 };

/**
 * Tells the service's own database being down from everything else, and waits it out.
 *
 * A failure is an outage only if it looks like a connection failure *and* the service's data
 * source then fails to answer `SELECT 1`: a handler whose call to a provider is refused is an
 * ordinary failure and takes the recoverability policy's path. During an outage no handler can
 * run, so nothing is an attempt: receiving is held at the gate, the messages in hand wait (their
 * visibility kept extended) and run again once the database answers.
 */
@Injectable()
export class DatabaseOutage {
  private readonly logger = new Logger(DatabaseOutage.name);
  private current?: Promise<void>;
  private closed = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly gate: ReceiveGate,
    private readonly metrics: MessagingMetrics,
  ) {}

  get ongoing(): boolean {
    return this.current !== undefined;
  }

  /** Whether `error` is explained by the database being unreachable; if so, the outage has begun. */
  async explains(error: unknown): Promise<boolean> {
    if (!looksLikeConnectionFailure(error)) return false;
    if (this.current) return true;
    if (await this.answers()) return false;
    this.begin(error);
    return true;
  }

  /** Resolves once the database answers again (at once when there is no outage), or on close. */
  whenBack(): Promise<void> {
    return this.current ?? Promise.resolve();
  }

  /** Shutdown: stop probing; whoever waits for the database is released to hand its message back. */
  close(): void {
    this.closed = true;
  }

  private begin(error: unknown): void {
    this.logger.warn({ err: error }, 'Database unreachable; receiving paused, messages in hand wait for it');
    const startedAt = Date.now();
    const probe = async () => {
      for (let failures = 1; !this.closed; failures++) {
        await new Promise((resolve) => setTimeout(resolve, jitteredBackoffMs(PROBE_BACKOFF, failures)).unref());
        this.gate.touch();
        if (await this.answers()) {
          this.logger.log({ outageSeconds: Math.round((Date.now() - startedAt) / 1000) }, 'Database reachable again; receiving');
          return;
        }
      }
    };
    this.metrics.databaseOutage.set(1);
    const outage = probe().finally(() => {
      this.current = undefined;
      this.metrics.databaseOutage.set(0);
    });
    this.current = outage;
    this.gate.hold(outage);
  }

  private async answers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS))),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
