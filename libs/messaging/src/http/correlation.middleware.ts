import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { acceptCorrelationId, runInMessageContext } from '../context/message-context';

export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * The HTTP edge of a unit of work: takes the caller's correlation id (or makes one), echoes it on
 * the response, and runs the rest of the request inside that context.
 */
@Injectable()
export class CorrelationMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const correlationId = acceptCorrelationId(request.header(CORRELATION_HEADER));
    const traceparent = request.header('traceparent');
    response.setHeader(CORRELATION_HEADER, correlationId);
    runInMessageContext({ correlationId, ...(traceparent ? { traceparent } : {}) }, next);
  }
}
