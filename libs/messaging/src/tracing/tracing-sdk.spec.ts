import { context, propagation, trace } from '@opentelemetry/api';
import { startTracing } from './tracing-sdk';

describe('startTracing', () => {
  afterEach(() => {
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('leaves tracing off without an OTLP endpoint', async () => {
    const stop = startTracing('widgets', {});
    expect(trace.getTracer('spec').startSpan('work').isRecording()).toBe(false);
    await stop();
  });

  it('records spans with an OTLP endpoint, its SDK loaded only then', async () => {
    const stop = startTracing('widgets', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    // Not ended, so nothing is exported to the absent collector on shutdown.
    const span = trace.getTracer('spec').startSpan('work');
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    await stop();
  });
});
