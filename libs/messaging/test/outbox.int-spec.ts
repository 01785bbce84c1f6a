import { InvalidEventError, MAX_EVENT_BYTES, EventTooLargeError, messageBytes, Outbox, OutsideTransactionError, parseCloudEvent, runInMessageContext, cloudEventSchema } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { connectTo, countRows } from './support/database';
import { observeTopic } from './support/topic-observer';
import type { TestServiceWorld as WidgetWorld } from './support/test-service-world';
import { WidgetCreated, widgetWorld } from './support/widget-service';

describe('outbox', () => {
  let world: WidgetWorld;
  let app: INestApplication;
  let outbox: Outbox;
  let dataSource: DataSource;
  let db: Client;

  beforeAll(async () => {
    world = await widgetWorld();
    app = await world.startReplica();
    outbox = app.get(Outbox);
    dataSource = app.get<DataSource>(getDataSourceToken());
    db = await connectTo(world.env);
  });

  afterAll(async () => {
    await db?.end();
    await world?.stop();
  });

  const outboxRows = () => countRows(db, 'SELECT count(*) FROM widgets.outbox_messages');

  it('refuses to publish outside a transaction', async () => {
    await expect(outbox.publish(dataSource.manager, WidgetCreated, { widgetId: 'w', label: 'x' }, { subject: 'w' })).rejects.toBeInstanceOf(OutsideTransactionError);
  });

  it('refuses an invalid payload before anything is written', async () => {
    const before = await outboxRows();
    const publishInvalid = dataSource.transaction((manager) =>
      outbox.publish(manager, WidgetCreated, { widgetId: 42 } as unknown as { widgetId: string; label: string }, { subject: 'w' }),
    );
    await expect(publishInvalid).rejects.toBeInstanceOf(InvalidEventError);
    await expect(publishInvalid).rejects.toThrow(/widgetId/);
    expect(await outboxRows()).toBe(before);
  });

  it('refuses an event over the size limit, naming the limit', async () => {
    const huge = { widgetId: 'big', label: 'x'.repeat(MAX_EVENT_BYTES) };
    await expect(dataSource.transaction((manager) => outbox.publish(manager, WidgetCreated, huge, { subject: 'big' }))).rejects.toBeInstanceOf(EventTooLargeError);
  });

  it('regression: an event of the largest size publish accepts reaches SNS as the very text publish measured', async () => {
    const observer = await observeTopic(world.config, WidgetCreated, 'size-observer');
    try {
      const publishWithLabel = (label: string) =>
        runInMessageContext({ correlationId: 'corr-size' }, () =>
          dataSource.transaction((manager) => outbox.publish(manager, WidgetCreated, { widgetId: 'at-limit', label }, { subject: 'at-limit' })),
        );
      // The envelope around the label is the same size each time (fixed-length id, time and correlation id).
      const probe = await publishWithLabel('');
      const overhead = messageBytes({ body: JSON.stringify(probe), type: WidgetCreated.type });
      await expect(publishWithLabel('x'.repeat(MAX_EVENT_BYTES - overhead + 1))).rejects.toBeInstanceOf(EventTooLargeError);
      const atLimit = await publishWithLabel('x'.repeat(MAX_EVENT_BYTES - overhead));
      const measured = JSON.stringify(atLimit);
      expect(messageBytes({ body: measured, type: WidgetCreated.type })).toBe(MAX_EVENT_BYTES);

      const received = await waitFor(async () => (await observer.receive()).find((message) => JSON.parse(message.Body ?? '{}').id === atLimit.id), {
        what: 'the event at the size limit on the observer queue',
      });
      expect(received.Body).toBe(measured);
    } finally {
      observer.close();
    }
  });

  describe('regression: publish writes only envelopes the consumer accepts', () => {
    const storedEnvelope = async (eventId: string) =>
      (await db.query<{ body: string }>('SELECT envelope::text AS body FROM widgets.outbox_messages WHERE event_id = $1', [eventId])).rows[0].body;

    it.each([
      ['300 characters', `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01${'x'.repeat(245)}`],
      ['not a traceparent at all', 'not-a-traceparent'],
      ['an all-zero trace id', `00-${'0'.repeat(32)}-${'b'.repeat(16)}-01`],
    ])('a caller traceparent of %s is dropped: the event starts its own trace and parses as the consumer parses it', async (_what, traceparent) => {
      const envelope = await runInMessageContext({ correlationId: 'corr-trace', traceparent }, () =>
        dataSource.transaction((manager) => outbox.publish(manager, WidgetCreated, { widgetId: 'traced', label: 'x' }, { subject: 'traced' })),
      );
      expect(envelope.traceparent).toBeUndefined();
      expect(parseCloudEvent(await storedEnvelope(envelope.id))).toMatchObject({ id: envelope.id, correlationid: 'corr-trace' });
    });

    it('keeps a valid traceparent as it came', async () => {
      const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
      const envelope = await runInMessageContext({ correlationId: 'corr-trace', traceparent }, () =>
        dataSource.transaction((manager) => outbox.publish(manager, WidgetCreated, { widgetId: 'traced', label: 'x' }, { subject: 'traced' })),
      );
      expect(envelope.traceparent).toBe(traceparent);
    });

    it.each([
      ['a correlation id of 300 characters', { correlationId: 'c'.repeat(300) }, {}, /correlationid/],
      ['a causation id of 300 characters', { correlationId: 'corr', causationId: 'c'.repeat(300) }, {}, /causationid/],
      ['a subject of 2,000 characters', { correlationId: 'corr' }, { subject: 's'.repeat(2000) }, /subject/],
    ])('refuses %s before anything is written, naming the field', async (_what, context, options, field) => {
      const before = await outboxRows();
      const publish = runInMessageContext(context, () =>
        dataSource.transaction((manager) => outbox.publish(manager, WidgetCreated, { widgetId: 'refused', label: 'x' }, { subject: 'refused', ...options })),
      );
      await expect(publish).rejects.toBeInstanceOf(InvalidEventError);
      await expect(publish).rejects.toThrow(field);
      expect(await outboxRows()).toBe(before);
    });
  });

  it('writes nothing when the business transaction rolls back', async () => {
    const before = await outboxRows();
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.publish(manager, WidgetCreated, { widgetId: 'rolled-back', label: 'x' }, { subject: 'rolled-back' });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await outboxRows()).toBe(before);
  });

  it('relays a committed event to SNS as a CloudEvent with its type attribute and the unit of work ids', async () => {
    const observer = await observeTopic(world.config, WidgetCreated);
    try {
      const envelope = await runInMessageContext({ correlationId: 'corr-outbox-1', causationId: 'cause-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, () =>
        dataSource.transaction((manager) => outbox.publish(manager, WidgetCreated, { widgetId: 'w-1', label: 'first' }, { subject: 'w-1' })),
      );
      const [message] = await waitFor(async () => {
        const seen = await observer.receive();
        return seen.length > 0 ? seen : undefined;
      }, { what: 'the event on the observer queue' });
      const delivered = cloudEventSchema.parse(JSON.parse(message.Body ?? ''));
      expect(delivered).toMatchObject({
        id: envelope.id,
        type: 'test.widget.created.v1',
        source: '/widgets',
        subject: 'w-1',
        correlationid: 'corr-outbox-1',
        causationid: 'cause-1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        data: { widgetId: 'w-1', label: 'first' },
      });
      expect(message.MessageAttributes?.type?.StringValue).toBe('test.widget.created.v1');
      await waitFor(async () => (await countRows(db, 'SELECT count(*) FROM widgets.outbox_messages WHERE event_id = $1 AND published_at IS NOT NULL', [envelope.id])) === 1, {
        what: 'the row marked published',
      });
    } finally {
      observer.close();
    }
  });
});
