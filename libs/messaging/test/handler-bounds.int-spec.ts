import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createCloudEvent, locateQueue, MessagingMetrics, TopologyNames } from '@app/messaging';
import { HandlerSpy } from '@app/messaging/testing';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { countRows } from './support/database';
import type { TestServiceWorld } from './support/test-service-world';
import { WidgetBehaviour, widgetRig, widgetTopology, type WidgetRig } from './support/widget-service';

describe('bounds on a hung handler or database', () => {
  let world: TestServiceWorld;
  let app: INestApplication;
  let db: Client;
  let sqs: WidgetRig['sqs'];
  let rig: WidgetRig | undefined;

  beforeAll(async () => {
    rig = await widgetRig({ HANDLER_TIMEOUT_MS: '500', DB_STATEMENT_TIMEOUT_MS: '300', DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '4000' });
    ({ world, db, sqs } = rig);
    app = await world.startReplica();
  });

  afterAll(() => rig?.stop());

  it('regression: a hung handler is rolled back at its time limit and retried', async () => {
    const behaviour = app.get(WidgetBehaviour);
    let release!: () => void;
    behaviour.hangAfterFirstWrite.set('hung-1', new Promise<void>((resolve) => (release = resolve)));
    const spy = HandlerSpy.attach(app);
    const event = createCloudEvent({ source: '/test', type: 'test.widget.created.v1', subject: 'hung-1', data: { widgetId: 'hung-1', label: 'x' }, correlationId: 'c-hung' });
    const queueUrl = await locateQueue(sqs, new TopologyNames(world.config.topologyPrefix).queue(widgetTopology));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
    await spy.waitForHandled({ eventId: event.id, outcome: 'handled' }, 20_000);
    release();
    const effects = (widgetId: string) => countRows(db, 'SELECT count(*) FROM widgets.widget_effects WHERE widget_id = $1', [widgetId]);
    expect(await effects('hung-1')).toBe(1);
    // What the hung try wrote before it hung was rolled back with it.
    expect(await effects('hung-1-first-try')).toBe(0);
    const retried = (await app.get(MessagingMetrics).retried.get()).values.filter((value) => value.labels.code === 'HANDLER_TIMEOUT');
    expect(retried.reduce((sum, value) => sum + value.value, 0)).toBe(1);
  });

  it('regression: a statement over DB_STATEMENT_TIMEOUT_MS fails, and every pooled connection carries the bounds', async () => {
    const dataSource = app.get<DataSource>(getDataSourceToken());
    await expect(dataSource.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);
    const [{ statement_timeout }] = await dataSource.query('SHOW statement_timeout');
    const [{ idle_in_transaction_session_timeout }] = await dataSource.query('SHOW idle_in_transaction_session_timeout');
    expect({ statement_timeout, idle_in_transaction_session_timeout }).toEqual({ statement_timeout: '300ms', idle_in_transaction_session_timeout: '4s' });
  });
});
