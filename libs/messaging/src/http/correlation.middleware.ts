import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { CORRELATION_ID_RULE, isAcceptableCorrelationId, runInMessageContext } from '../context/message-context';
import { validTraceparent } from '../tracing/trace-context';
import { randomUUID } from 'node:crypto';

export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * The HTTP edge of a unit of work: takes the caller's correlation id (or makes one), echoes it on
 * the response, and runs the rest of the request inside that context.
 *
 * Both headers end up in every event the request causes, so they are checked here, where they
 * enter: a correlation id that is not one is the caller's mistake and gets a 400 naming the
 * header (silently replacing it would break the caller's tracking); a `traceparent` that is not
 * one is ignored and the request starts its own trace, as W3C trace context prescribes.
 */
@Injectable()
export class CorrelationMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const presented = request.header(CORRELATION_HEADER);
    if (presented !== undefined && presented !== '' && !isAcceptableCorrelationId(presented)) {
      response.status(400).json({ statusCode: 400, error: 'Bad Request', message: [`${CORRELATION_HEADER} must be ${CORRELATION_ID_RULE}`] });
      return;
    }
    const correlationId = presented || randomUUID();
    const traceparent = validTraceparent(request.header('traceparent'));
    response.setHeader(CORRELATION_HEADER, correlationId);
    runInMessageContext({ correlationId, ...(traceparent ? { traceparent } : {}) }, next);
  }
}
