import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { currentMessageContext } from '../context/message-context';

/**
 * W3C trace context through the pipeline. The `traceparent` of the span that wrote an event is
 * stored in its envelope, so the relay's send and the consumer's handling join the same trace
 * however long the event waits in the outbox or the queue. With no tracer provider registered
 * (tracing off), spans are no-ops and an incoming `traceparent` is passed through unchanged.
 */
const tracer = trace.getTracer('@app/messaging');
const propagator = new W3CTraceContextPropagator();

/**
 * The caller's `traceparent` if it is one (W3C trace context: version, 32-hex trace id and 16-hex
 * parent id, neither all zeros, flags), in its canonical form; otherwise undefined, and the work
 * starts a trace of its own, as the specification says a receiver must.
 */
export function validTraceparent(header: string | undefined): string | undefined {
  if (!header || header.length > 512) return undefined;
  const spanContext = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, { traceparent: header }, defaultTextMapGetter));
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return traceparentOf(trace.setSpanContext(ROOT_CONTEXT, spanContext));
}

export function contextFromTraceparent(traceparent: string | undefined): Context {
  return traceparent ? propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter) : ROOT_CONTEXT;
}

function traceparentOf(ctx: Context): string | undefined {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** The trace context new work should continue: the active span's, else the unit of work's. */
export function currentTraceparent(): string | undefined {
  return traceparentOf(context.active()) ?? currentMessageContext()?.traceparent;
}

/** The trace context outside any span: the active one, or the unit of work's (an HTTP header). */
export function currentTraceContext(): Context {
  const active = context.active();
  return trace.getSpanContext(active) ? active : contextFromTraceparent(currentMessageContext()?.traceparent);
}

/** The trace id for log lines, when there is one. */
export function currentTraceId(): string | undefined {
  const traceparent = currentTraceparent();
  return traceparent?.split('-')[1];
}

/** Runs `work` in a new span, child of `parent`; records a thrown error on the span. */
export function inSpan<T>(name: string, kind: SpanKind, parent: Context, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { kind, attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A span that the caller ends: for work whose end is not one function's return (a batch send). */
export function startSpan(name: string, kind: SpanKind, parent: Context, attributes: Attributes): Span {
  return tracer.startSpan(name, { kind, attributes }, parent);
}

export function traceparentOfSpan(span: Span): string | undefined {
  return traceparentOf(trace.setSpan(ROOT_CONTEXT, span));
}

export { SpanKind };
