import { Catch, ServiceUnavailableException, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { throwError } from 'rxjs';
import { looksLikeConnectionFailure } from '../consumer/database-outage';

/**
 * Seconds a client is asked to wait before retrying while the database is away: long enough not to
 * hammer a restarting server, short enough that a failover of a few seconds is barely noticed.
 */
export const DATABASE_OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * The service's own database being unreachable is not a bug of the request: it answers
 * `503 Service Unavailable` with `Retry-After`, so clients and load balancers back off and retry
 * instead of reporting a 500. The same test the consumer uses to tell an outage from a failing
 * handler decides it. Everything else goes to Nest's own handling unchanged.
 */
@Catch()
export class DatabaseOutageFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost) {
    // Event handlers have their own filter; should anything else reach this one, pass it on as is.
    if (host.getType() !== 'http') return throwError(() => exception);
    if (!looksLikeConnectionFailure(exception)) return super.catch(exception, host);
    host.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(DATABASE_OUTAGE_RETRY_AFTER_SECONDS));
    return super.catch(new ServiceUnavailableException('The database is unreachable; retry later', { cause: exception, description: 'Service Unavailable' }), host);
  }
}
