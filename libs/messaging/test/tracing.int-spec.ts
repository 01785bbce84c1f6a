import { Outbox } from '@app/messaging';
import { HandlerSpy } from '@app/messaging/testing';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { TestServiceWorld } from './support/test-service-world';
import { WidgetCreated, widgetWorld } from './support/widget-service';

describe('trace propagation', () => {
  const exporter = new InMemorySpanExporter();
  let world: TestServiceWorld;

  beforeAll(async () => {
    const contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
    world = await widgetWorld();
  });

  afterAll(async () => {
    await world?.stop();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('one trace spans the request, the outbox write, the relay send and the handler', async () => {
    const app = await world.startReplica();
    const spy = HandlerSpy.attach(app);
    const outbox = app.get(Outbox);
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const tracer = trace.getTracer('test');

    const { envelope, traceId } = await tracer.startActiveSpan('POST /widgets', { kind: SpanKind.SERVER }, async (request) => {
      const written = await dataSource.transaction((manager) => outbox.publish(manager, WidgetCreated, { widgetId: 'traced-1', label: 'x' }, { subject: 'traced-1' }));
      request.end();
      return { envelope: written, traceId: request.spanContext().traceId };
    });
    await spy.waitForHandled({ eventId: envelope.id, outcome: 'handled' });

    expect(envelope.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    const byName = (name: string) => spans.find((span) => span.name === name);
    const publish = byName('publish test.widget.created.v1');
    const send = byName('send test.widget.created.v1');
    const processSpan = byName('process test.widget.created.v1');
    expect(publish && send && processSpan).toBeTruthy();
    // The envelope carries the publish span: both the relay and the consumer continue it.
    expect(envelope.traceparent?.split('-')[2]).toBe(publish?.spanContext().spanId);
    expect(send?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
    expect(processSpan?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
    expect(processSpan?.kind).toBe(SpanKind.CONSUMER);
  });
});
