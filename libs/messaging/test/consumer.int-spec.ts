import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { createCloudEvent, createSqsClient, DEAD_LETTER_ATTRIBUTES, locateQueue, MessagingMetrics, TopologyNames } from '@app/messaging';
import { HandlerSpy, waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import type { Client } from 'pg';
import { connectTo, countRows, recordStatements } from './support/database';
import type { TestServiceWorld as WidgetWorld } from './support/test-service-world';
import { WidgetBehaviour, widgetTopology, widgetWorld } from './support/widget-service';

const aWidgetEvent = (widgetId: string, data: unknown = { widgetId, label: 'x' }) =>
  createCloudEvent({ source: '/test', type: 'test.widget.created.v1', subject: widgetId, data, correlationId: `corr-${widgetId}` });

// Every behaviour holds in both transaction modes; the shared transaction itself is checked in batch mode.
describe.each(['message', 'batch'] as const)('consumer with inbox, CONSUMER_TRANSACTION=%s', (mode) => {
  let world: WidgetWorld;
  let app: INestApplication;
  let db: Client;
  let sqs: ReturnType<typeof createSqsClient>;
  let queueUrl: string;
  let deadLetterQueueUrl: string;

  beforeAll(async () => {
    world = await widgetWorld({ CONSUMER_TRANSACTION: mode });
    app = await world.startReplica();
    db = await connectTo(world.env);
    sqs = createSqsClient(world.config.aws);
    const names = new TopologyNames(world.config.topologyPrefix);
    queueUrl = await locateQueue(sqs, names.queue(widgetTopology));
    deadLetterQueueUrl = await locateQueue(sqs, names.deadLetterQueue(widgetTopology));
  });

  afterAll(async () => {
    await db?.end();
    sqs?.destroy();
    await world?.stop();
  });

  const send = (body: string, attributes: Record<string, string> = { type: 'test.widget.created.v1' }) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, { DataType: 'String', StringValue: value }])),
      }),
    );
  const effectsOf = (widgetId: string) => countRows(db, 'SELECT count(*) FROM widgets.widget_effects WHERE widget_id = $1', [widgetId]);
  /** Whether each of these widgets has exactly one effect, in one query (one client runs one query at a time). */
  const eachHandledOnce = async (widgetIds: string[]) => {
    const { rows } = await db.query<{ widget_id: string; effects: number }>(
      'SELECT widget_id, count(*)::int AS effects FROM widgets.widget_effects WHERE widget_id = ANY($1) GROUP BY widget_id',
      [widgetIds],
    );
    return rows.length === widgetIds.length && rows.every((row) => row.effects === 1);
  };
  /** True once each widget has exactly one effect; until then throws what it saw, so a timeout says which event is missing. */
  const handledOnceOrWhere = async (widgetIds: string[]) => {
    const { rows } = await db.query<{ widget_id: string; effects: number }>(
      `SELECT w.id AS widget_id, (SELECT count(*)::int FROM widgets.widget_effects e WHERE e.widget_id = w.id) AS effects FROM unnest($1::text[]) AS w(id)`,
      [widgetIds],
    );
    if (rows.every((row) => row.effects === 1)) return true;
    const retried = await metricValue('retried', {});
    const deadLettered = await metricValue('deadLettered', {});
    throw new Error(`effects per widget ${rows.map((row) => `${row.widget_id}=${row.effects}`).join(', ')}; retried ${retried}, dead-lettered ${deadLettered} so far`);
  };
  const metricValue = async (metric: keyof MessagingMetrics, labels: Record<string, string>) => {
    const values = (await (app.get(MessagingMetrics)[metric] as { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }).get()).values;
    return values.filter((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected)).reduce((sum, value) => sum + value.value, 0);
  };

  /** Reads the DLQ until a message with the given body marker shows up. */
  const deadLetterWith = (marker: string) =>
    waitFor(async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }));
      const match = Messages.find((message) => message.Body?.includes(marker));
      if (match) await sqs.send(new DeleteMessageCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: match.ReceiptHandle }));
      return match;
    }, { what: `a dead letter containing ${marker}`, timeoutMs: 20_000 });
  const codeOf = (message: Message) => message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]?.StringValue;
  const reasonOf = (message: Message) => message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue;

  it('runs the handler once for the same event delivered twice, even concurrently', async () => {
    const event = aWidgetEvent('dup-1');
    const spy = HandlerSpy.attach(app);
    await Promise.all([send(JSON.stringify(event)), send(JSON.stringify(event))]);
    await spy.waitForHandled({ eventId: event.id, outcome: 'handled' });
    await spy.waitForHandled({ eventId: event.id, outcome: 'duplicate' });
    spy.stop();
    expect(await effectsOf('dup-1')).toBe(1);
    expect(await countRows(db, 'SELECT count(*) FROM widgets.inbox_messages WHERE event_id = $1', [event.id])).toBe(1);
    expect(await metricValue('duplicates', { type: event.type })).toBeGreaterThanOrEqual(1);
  });

  /**
   * Holds the consumer inside the handler of a first event while `bodies` are queued, so that the
   * next receive returns them together; resolves once every body's widget has its effect.
   */
  const receiveTogether = async (gateWidget: string, bodies: string[]) => {
    const behaviour = app.get(WidgetBehaviour);
    let release!: () => void;
    behaviour.gate = new Promise<void>((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => (behaviour.entered = resolve));
    await send(JSON.stringify(aWidgetEvent(gateWidget)));
    await entered;
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((body, index) => ({ Id: `m${index}`, MessageBody: body })) }));
    behaviour.gate = undefined;
    behaviour.entered = undefined;
    release();
  };
  /** The inbox rows of these events once every one has its duration, written shortly after its commit. */
  const durationsRecorded = (eventIds: string[], sql: string) =>
    waitFor(async () => {
      const { rows } = await db.query(sql, [eventIds]);
      return rows.length === eventIds.length && rows.every((row) => row.duration_ms !== null) ? rows : undefined;
    }, { what: 'the handler durations recorded' });
  const handledAtOf = async (widgetIds: string[]) => {
    const { rows } = await db.query(
      `SELECT DISTINCT i.handled_at FROM widgets.inbox_messages i JOIN widgets.widget_effects e ON e.event_id = i.event_id WHERE e.widget_id = ANY($1)`,
      [widgetIds],
    );
    return rows.length;
  };

  it('handles every event of one receive once, a duplicate among them skipped', async () => {
    const widgetIds = Array.from({ length: 8 }, (_, index) => `together-${index}`);
    const events = widgetIds.map((widgetId) => aWidgetEvent(widgetId));
    const spy = HandlerSpy.attach(app);
    await receiveTogether('together-gate', [...events, events[0]].map((event) => JSON.stringify(event)));
    for (const event of events) await spy.waitForHandled({ eventId: event.id, outcome: 'handled' });
    await spy.waitForHandled({ eventId: events[0].id, outcome: 'duplicate' });
    spy.stop();
    for (const widgetId of widgetIds) expect(await effectsOf(widgetId)).toBe(1);
    // now() is the transaction's start time: one value for all of them means one transaction.
    if (mode === 'batch') expect(await handledAtOf(widgetIds)).toBe(1);
    else expect(await handledAtOf(widgetIds)).toBeGreaterThan(1);
  });

  it('records in the inbox which delivery and try succeeded and how long the handler ran', async () => {
    const behaviour = app.get(WidgetBehaviour);
    // Fails once: the immediate retry of the same delivery succeeds. Fails three times: the first
    // delivery's try and both immediate retries fail, the second delivery succeeds at its first try.
    behaviour.failTimes('retried-once', 1);
    behaviour.failTimes('retried-later', 3);
    const first = aWidgetEvent('retried-once');
    const later = aWidgetEvent('retried-later');
    const plain = aWidgetEvent('not-retried');
    // One at a time, each alone in its receive: in batch mode a failure inside a shared transaction
    // is not a try of the event's own (the event is then handled alone at once).
    for (const event of [first, later, plain]) {
      await send(JSON.stringify(event));
      await waitFor(async () => (await effectsOf(event.subject as string)) === 1 || undefined, { what: `${event.subject} handled`, timeoutMs: 20_000 });
    }
    const rows = await durationsRecorded([first.id, later.id, plain.id], 'SELECT event_id, attempts, tries, duration_ms FROM widgets.inbox_messages WHERE event_id = ANY($1)');
    const handling = Object.fromEntries(rows.map((row) => [row.event_id, row]));
    expect(handling[first.id]).toMatchObject({ attempts: 1, tries: 2 });
    expect(handling[later.id]).toMatchObject({ attempts: 2, tries: 1 });
    expect(handling[plain.id]).toMatchObject({ attempts: 1, tries: 1 });
    for (const row of rows) expect(row.duration_ms).toEqual(expect.any(Number));
  });

  it("regression: handler durations are written after the commits, many to a statement, none inside an event's transaction", async () => {
    const recorder = recordStatements(app);
    try {
      const events = Array.from({ length: 20 }, (_, index) => aWidgetEvent(`timed-burst-${index}`));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: events.slice(0, 10).map((event, index) => ({ Id: String(index), MessageBody: JSON.stringify(event) })) }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: events.slice(10).map((event, index) => ({ Id: String(index), MessageBody: JSON.stringify(event) })) }));
      await durationsRecorded(events.map((event) => event.id), 'SELECT event_id, duration_ms FROM widgets.inbox_messages WHERE event_id = ANY($1)');
    } finally {
      recorder.stop();
    }
    const durationWrites = recorder.statements.filter((text) => /duration_ms/.test(text));
    expect(durationWrites.length).toBeGreaterThan(0);
    expect(durationWrites.filter((text) => /\bCOMMIT\b|\bSTART TRANSACTION\b/.test(text))).toEqual([]);
    expect(durationWrites.length).toBeLessThanOrEqual(10);
  });

  it('records each handler duration of a shared receive with its own inbox row', async () => {
    const widgetIds = Array.from({ length: 4 }, (_, index) => `timed-together-${index}`);
    const events = widgetIds.map((widgetId) => aWidgetEvent(widgetId));
    const spy = HandlerSpy.attach(app);
    await receiveTogether('timed-gate', events.map((event) => JSON.stringify(event)));
    for (const event of events) await spy.waitForHandled({ eventId: event.id, outcome: 'handled' });
    spy.stop();
    const rows = await durationsRecorded(events.map((event) => event.id), 'SELECT attempts, tries, duration_ms FROM widgets.inbox_messages WHERE event_id = ANY($1)');
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toEqual({ attempts: 1, tries: 1, duration_ms: expect.any(Number) });
    if (mode === 'batch') expect(await handledAtOf(widgetIds)).toBe(1);
  });

  it('retries only the failing event of a shared receive; the others commit exactly once', async () => {
    const widgetIds = Array.from({ length: 6 }, (_, index) => `shared-${index}`);
    const events = widgetIds.map((widgetId) => aWidgetEvent(widgetId));
    // Fails twice. In batch mode the first failure is in the shared transaction, after which the
    // event is handled alone at once, so only the second costs a retry through the queue.
    app.get(WidgetBehaviour).failTimes('shared-3', 2);
    const retriedBefore = await metricValue('retried', { code: 'TEST_TRANSIENT' });
    await receiveTogether('shared-gate', events.map((event) => JSON.stringify(event)));
    await waitFor(async () => (await eachHandledOnce(widgetIds)) || undefined, {
      what: 'every event of the receive to be handled',
      timeoutMs: 20_000,
    });
    expect(await metricValue('retried', { code: 'TEST_TRANSIENT' })).toBe(retriedBefore + (mode === 'batch' ? 1 : 2));
    for (const widgetId of widgetIds) expect(await effectsOf(widgetId)).toBe(1);
  });

  it('regression: a handler that catches a database error and returns has its event tried again, not acknowledged with nothing committed', async () => {
    const widgetIds = ['swallowing', 'beside-swallowing-1', 'beside-swallowing-2'];
    app.get(WidgetBehaviour).swallowsDatabaseError.set('swallowing', 1);
    const retriedBefore = await metricValue('retried', { code: 'TRANSACTION_ABORTED' });
    await receiveTogether('swallowing-gate', widgetIds.map((widgetId) => JSON.stringify(aWidgetEvent(widgetId))));
    await waitFor(() => handledOnceOrWhere(widgetIds), {
      what: 'every event handled, the one whose first try swallowed an error included',
      timeoutMs: 20_000,
    });
    // In batch mode the aborted shared transaction is not a try of its own: the event is handled alone at once.
    expect(await metricValue('retried', { code: 'TRANSACTION_ABORTED' })).toBe(retriedBefore + (mode === 'batch' ? 0 : 1));
  });

  it('stores the event correlation id with the handler writes', async () => {
    await send(JSON.stringify(aWidgetEvent('corr-check')));
    await waitFor(async () => (await effectsOf('corr-check')) === 1 || undefined, { what: 'the effect' });
    const { rows } = await db.query('SELECT correlation_id FROM widgets.widget_effects WHERE widget_id = $1', ['corr-check']);
    expect(rows[0].correlation_id).toBe('corr-corr-check');
  });

  it('retries a transient failure with backoff, then succeeds exactly once', async () => {
    app.get(WidgetBehaviour).failTimes('flaky-1', 2);
    await send(JSON.stringify(aWidgetEvent('flaky-1')));
    await waitFor(async () => (await effectsOf('flaky-1')) === 1 || undefined, { what: 'the third attempt to succeed', timeoutMs: 20_000 });
    expect(await metricValue('retried', { code: 'TEST_TRANSIENT' })).toBeGreaterThanOrEqual(2);
    expect(await effectsOf('flaky-1')).toBe(1);
  });

  it('dead-letters a message whose retries are exhausted, with the last error as the reason', async () => {
    app.get(WidgetBehaviour).failTimes('hopeless-1', 100);
    await send(JSON.stringify(aWidgetEvent('hopeless-1')));
    const dead = await deadLetterWith('hopeless-1');
    expect(codeOf(dead)).toBe('RETRIES_EXHAUSTED');
    expect(reasonOf(dead)).toMatch(/TEST_TRANSIENT after 3 attempts/);
    expect(await effectsOf('hopeless-1')).toBe(0);
  });

  it.each([
    ['a body that is not JSON', '{"poison-not-json', 'NOT_JSON'],
    ['JSON that is not a CloudEvent', JSON.stringify({ hello: 'poison-not-cloudevent' }), 'NOT_CLOUDEVENT'],
    ['an event type this service does not consume', JSON.stringify({ ...aWidgetEvent('poison-unknown'), type: 'test.gadget.created.v1' }), 'UNKNOWN_EVENT_TYPE'],
    ['a payload that fails its schema', JSON.stringify(aWidgetEvent('poison-schema', { widgetId: 'poison-schema', label: 7 })), 'SCHEMA_VIOLATION'],
  ])('dead-letters %s at once, with the reason, and keeps consuming', async (_kind, body, code) => {
    const marker = body.match(/poison-[a-z-]+/)?.[0] ?? '';
    await send(body);
    await send(JSON.stringify(aWidgetEvent(`after-${marker}`)));
    const dead = await deadLetterWith(marker);
    expect(codeOf(dead)).toBe(code);
    expect(reasonOf(dead)).toBeTruthy();
    expect(dead.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.sourceQueue]?.StringValue).toBe(queueUrl);
    await waitFor(async () => (await effectsOf(`after-${marker}`)) === 1 || undefined, { what: 'the good message behind the poison' });
  });

  it('accepts an SNS-wrapped body as well as a raw one', async () => {
    const event = aWidgetEvent('wrapped-1');
    await send(JSON.stringify({ Type: 'Notification', MessageId: 'x', TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: JSON.stringify(event) }));
    await waitFor(async () => (await effectsOf('wrapped-1')) === 1 || undefined, { what: 'the wrapped event to be handled' });
  });

  it('labels metrics of event types it does not consume as unknown, whatever they are called', async () => {
    const spy = HandlerSpy.attach(app);
    await send(JSON.stringify({ ...aWidgetEvent('label-1'), type: 'made.up.type-12345.v1' }));
    await spy.waitForDeadLettered({ code: 'UNKNOWN_EVENT_TYPE' });
    spy.stop();
    const text = await app.get(MessagingMetrics).registry.metrics();
    expect(text).not.toContain('made.up.type-12345');
    expect(text).toMatch(/messaging_messages_dead_lettered_total\{type="unknown",code="UNKNOWN_EVENT_TYPE"\}/);
  });
});
