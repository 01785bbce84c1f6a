import type { Params } from 'nestjs-pino';
import { currentMessageContext } from '../context/message-context';
import { currentTraceId } from '../tracing/trace-context';

/**
 * JSON logs (pino) where every line, whoever writes it, carries the service and the correlation
 * and causation ids of the unit of work it belongs to.
 */
export function loggerParams(service: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'msg',
      mixin: () => {
        const context = currentMessageContext();
        const traceId = currentTraceId();
        return { ...(context ? { correlationId: context.correlationId, causationId: context.causationId } : {}), ...(traceId ? { traceId } : {}) };
      },
      // The correlation id already identifies the request; health and metrics probes are noise.
      autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
      genReqId: (request, response) => String(response.getHeader('x-correlation-id') ?? request.headers['x-correlation-id'] ?? ''),
      customProps: () => ({}),
      serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }), res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }) },
    },
  };
}
