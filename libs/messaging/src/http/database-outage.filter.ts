import { Catch, ServiceUnavailableException, type ArgumentsHost, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { throwError } from 'rxjs';
import { looksLikeConnectionFailure, type DatabaseOutage } from '../consumer/database-outage';

/**
 * Seconds a client is asked to wait before retrying while the database is away: long enough not to
 * hammer a restarting server, short enough that a failover of a few seconds is barely noticed.
 */
export const DATABASE_OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * The service's own database being unreachable is not a bug of the request: it answers
 * `503 Service Unavailable` with `Retry-After`, so clients and load balancers back off and retry
 * instead of reporting a 500. The consumer's judge of an outage decides it (a connection failure
 * the database then confirms by not answering), so a route whose call to some other service is
 * refused still gets its 500, and an outage seen here pauses receiving as one seen by a handler
 * does. Everything else goes to Nest's own handling unchanged.
 */
@Catch()
export class DatabaseOutageFilter extends BaseExceptionFilter {
  constructor(
    applicationRef: HttpServer,
    private readonly outage: Pick<DatabaseOutage, 'explains'>,
  ) {
    super(applicationRef);
  }

  override catch(exception: unknown, host: ArgumentsHost) {
    // Event handlers have their own filter; should anything else reach this one, pass it on as is.
    if (host.getType() !== 'http') return throwError(() => exception);
    if (!looksLikeConnectionFailure(exception)) return super.catch(exception, host);
    // Only a connection failure costs the probe of the database.
    void this.outage.explains(exception).then(
      (unreachable) => (unreachable ? this.answerUnavailable(exception, host) : super.catch(exception, host)),
      () => super.catch(exception, host),
    );
  }

  private answerUnavailable(exception: unknown, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(DATABASE_OUTAGE_RETRY_AFTER_SECONDS));
    super.catch(new ServiceUnavailableException('The database is unreachable; retry later', { cause: exception, description: 'Service Unavailable' }), host);
  }
}
