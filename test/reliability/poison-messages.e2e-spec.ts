import { createCloudEvent, createSqsClient, DEAD_LETTER_ATTRIBUTES, loadConfig, messagingEnvSchema } from '@app/messaging';
import { readDeadLetters, waitFor, type DeadLetter } from '@app/messaging/testing';
import { GetQueueUrlCommand, SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes, randomUUID } from 'node:crypto';
import { startShop, type RunningShop } from '../support/shop';
import { ShopClient } from '../support/shop-client';

const ORDER_CANCELLED = 'shop.order.cancelled.v1';
const KIB = 1024;

/** A valid OrderCancelled envelope for a fresh order: notifications records one message for it. */
const cancelled = (orderId: string = randomUUID(), overrides: Record<string, unknown> = {}) => ({
  ...createCloudEvent({ source: '/orders', type: ORDER_CANCELLED, subject: orderId, data: { orderId, customerId: 'poison-spec', reason: 'OUT_OF_STOCK' }, correlationId: `poison-${orderId}` }),
  ...overrides,
});
const snsWrapped = (message: string) => JSON.stringify({ Type: 'Notification', MessageId: randomUUID(), TopicArn: 'arn:aws:sns:us-east-1:000000000000:x', Message: message });
const attribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

interface Poison {
  case: string;
  code: string;
  /** Builds the body around a marker that lets the dead letter be found again. */
  body: (marker: string) => string;
  attributes?: Record<string, MessageAttributeValue>;
}

const poisons: Poison[] = [
  { case: 'not JSON', code: 'NOT_JSON', body: (marker) => `${marker} {not json` },
  { case: 'an empty object', code: 'NOT_CLOUDEVENT', body: (marker) => JSON.stringify({ marker }) },
  { case: 'a JSON array', code: 'NOT_CLOUDEVENT', body: (marker) => JSON.stringify([marker, cancelled()]) },
  { case: 'a JSON string', code: 'NOT_CLOUDEVENT', body: (marker) => JSON.stringify(marker) },
  { case: 'another spec version', code: 'NOT_CLOUDEVENT', body: (marker) => JSON.stringify(cancelled(undefined, { specversion: '0.3', subject: marker })) },
  { case: 'an envelope without id', code: 'NOT_CLOUDEVENT', body: (marker) => JSON.stringify(cancelled(undefined, { id: undefined, subject: marker })) },
  { case: 'an envelope with a bad time', code: 'NOT_CLOUDEVENT', body: (marker) => JSON.stringify(cancelled(undefined, { time: 'yesterday', subject: marker })) },
  { case: 'an envelope without correlation id', code: 'NOT_CLOUDEVENT', body: (marker) => JSON.stringify(cancelled(undefined, { correlationid: undefined, subject: marker })) },
  { case: 'an unknown type', code: 'UNKNOWN_EVENT_TYPE', body: (marker) => JSON.stringify(cancelled(undefined, { type: 'shop.poison.unknown.v1', subject: marker })) },
  { case: 'a type of the shop this queue does not take', code: 'UNKNOWN_EVENT_TYPE', body: (marker) => JSON.stringify(cancelled(undefined, { type: 'shop.order.placed.v1', subject: marker })) },
  { case: 'a payload against its schema', code: 'SCHEMA_VIOLATION', body: (marker) => JSON.stringify(cancelled(undefined, { data: { orderId: randomUUID(), customerId: marker, reason: 'BORED' } })) },
  { case: 'an envelope without data', code: 'NOT_CLOUDEVENT', body: (marker) => JSON.stringify(cancelled(undefined, { data: undefined, subject: marker })) },
  { case: 'an injection for an order id', code: 'SCHEMA_VIOLATION', body: (marker) => JSON.stringify(cancelled(undefined, { data: { orderId: `'; DROP TABLE notifications;--`, customerId: marker, reason: 'OUT_OF_STOCK' } })) },
  { case: 'not JSON, close to 256 KiB', code: 'NOT_JSON', body: (marker) => `${marker} ${'x'.repeat(250 * KIB)}` },
  { case: 'an unknown type, close to 256 KiB', code: 'UNKNOWN_EVENT_TYPE', body: (marker) => JSON.stringify(cancelled(undefined, { type: 'shop.poison.huge.v1', subject: marker, padding: 'x'.repeat(250 * KIB) })) },
  { case: 'SNS-wrapped, not JSON inside', code: 'NOT_JSON', body: (marker) => snsWrapped(`${marker} {not json`) },
  { case: 'SNS-wrapped, not a CloudEvent inside', code: 'NOT_CLOUDEVENT', body: (marker) => snsWrapped(JSON.stringify({ marker })) },
  { case: 'SNS-wrapped, against its schema', code: 'SCHEMA_VIOLATION', body: (marker) => snsWrapped(JSON.stringify(cancelled(undefined, { data: { orderId: marker } }))) },
  {
    case: 'carrying the most attributes SQS allows',
    code: 'NOT_JSON',
    body: (marker) => `${marker} {not json`,
    attributes: Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`attribute${index}`, attribute(`value ${index}`)])),
  },
];

/** Good messages in the forms a queue may see them: each must be handled as usual. */
const goodMessages: { case: string; body: (orderId: string) => string; attributes?: Record<string, MessageAttributeValue> }[] = [
  { case: 'raw, without any message attribute', body: (orderId) => JSON.stringify(cancelled(orderId)) },
  { case: 'raw, with a type attribute that says something else', body: (orderId) => JSON.stringify(cancelled(orderId)), attributes: { type: attribute('shop.poison.unknown.v1') } },
  { case: 'SNS-wrapped', body: (orderId) => snsWrapped(JSON.stringify(cancelled(orderId))) },
];

describe('poison messages on a queue', () => {
  let shop: RunningShop;
  let client: ShopClient;
  let sqs: SQSClient;
  let queueUrl: string;
  let deadLetterQueueUrl: string;
  const deadLetters: DeadLetter[] = [];

  beforeAll(async () => {
    // A short retry budget, so what fails every time reaches the DLQ in seconds.
    shop = await startShop(['notifications'], { MAX_RECEIVE_COUNT: '3', RETRY_MAX_SECONDS: '1' });
    client = new ShopClient(shop);
    sqs = createSqsClient(loadConfig(messagingEnvSchema, shop.env).aws);
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: `${shop.env.TOPOLOGY_PREFIX}-notifications` }))).QueueUrl as string;
    deadLetterQueueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: `${shop.env.TOPOLOGY_PREFIX}-notifications-dlq` }))).QueueUrl as string;
  });

  afterAll(async () => {
    sqs?.destroy();
    await shop?.stop();
  });

  const send = (body: string, attributes?: Record<string, MessageAttributeValue>) =>
    sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, ...(attributes ? { MessageAttributes: attributes } : {}) }));

  /** Collects dead letters as they arrive until one carries the marker. */
  const deadLetterWith = (marker: string, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        deadLetters.push(...(await readDeadLetters(sqs, deadLetterQueueUrl)));
        return deadLetters.find((letter) => letter.body.includes(marker));
      },
      { timeoutMs, intervalMs: 200, what: `a dead letter carrying ${marker}` },
    );

  it('dead-letters every kind of poison with its code and a reason, while good messages around it are handled', async () => {
    const markers = poisons.map((poison) => `poison-${randomBytes(6).toString('hex')}-${poison.case.replace(/\W+/g, '-')}`);
    const goodOrders = goodMessages.map(() => randomUUID());
    // Poison and good messages interleaved on one queue, as a consumer would meet them.
    for (const [index, poison] of poisons.entries()) {
      await send(poison.body(markers[index]), poison.attributes);
      const good = goodMessages[index % goodMessages.length];
      if (index < goodMessages.length) await send(good.body(goodOrders[index]), good.attributes);
    }

    for (const orderId of goodOrders) {
      const [notification] = await client.recordsWhen('notifications', '/notifications', orderId, 1);
      expect(notification).toMatchObject({ eventType: ORDER_CANCELLED, correlationId: `poison-${orderId}` });
    }
    const found = [];
    for (const [index, poison] of poisons.entries()) {
      const letter = await deadLetterWith(markers[index]);
      found.push({ case: poison.case, code: letter.code, hasReason: (letter.reason ?? '').length > 0, sourceQueue: letter.sourceQueue, body: letter.body === poison.body(markers[index]) || letter.body.includes(markers[index]) });
    }
    expect(found).toEqual(poisons.map((poison) => ({ case: poison.case, code: poison.code, hasReason: true, sourceQueue: queueUrl, body: true })));
  });

  it('regression: made-up event types do not grow /metrics (their series are labelled unknown)', async () => {
    const madeUp = Array.from({ length: 3 }, () => `shop.made-up.${randomBytes(6).toString('hex')}.v1`);
    for (const type of madeUp) await send(JSON.stringify(cancelled(undefined, { type, subject: type })));
    for (const type of madeUp) expect((await deadLetterWith(type)).code).toBe('UNKNOWN_EVENT_TYPE');
    const metrics = (await client.http('notifications').get('/metrics').expect(200)).text;
    expect(madeUp.filter((type) => metrics.includes(type))).toEqual([]);
    expect(metrics).toMatch(/messaging_messages_received_total\{[^}]*type="unknown"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/messaging_messages_dead_lettered_total\{[^}]*type="unknown"[^}]*code="UNKNOWN_EVENT_TYPE"[^}]*\} [1-9]/);
  });

  it('keeps the original attributes it can on a dead letter, within the SQS limit of ten', async () => {
    const marker = `poison-attributes-${randomBytes(4).toString('hex')}`;
    await send(`${marker} {not json`, { origin: attribute('poison-spec'), type: attribute('shop.poison.unknown.v1') });
    const letter = await deadLetterWith(marker);
    const attributes = letter.message.MessageAttributes ?? {};
    expect(attributes.origin?.StringValue).toBe('poison-spec');
    expect(attributes[DEAD_LETTER_ATTRIBUTES.at]?.StringValue).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Object.keys(attributes).length).toBeLessThanOrEqual(10);
  });

  it('dead-letters a valid event whose id Postgres cannot index (over the b-tree row limit), with a reason, and goes on', async () => {
    // 3 KB of random hex: no compression brings it under the inbox key's limit of about 2.7 KB.
    const orderId = randomUUID();
    await send(JSON.stringify(cancelled(orderId, { id: randomBytes(1536).toString('hex') })));
    const after = randomUUID();
    await send(JSON.stringify(cancelled(after)));
    await client.recordsWhen('notifications', '/notifications', after, 1);
    const letter = await deadLetterWith(`poison-${orderId}`, 30_000);
    // Today it is retried as if the failure were transient and lands as RETRIES_EXHAUSTED; an
    // envelope check on the id's length would dead-letter it at once as NOT_CLOUDEVENT.
    expect(['RETRIES_EXHAUSTED', 'NOT_CLOUDEVENT']).toContain(letter.code);
    expect(letter.reason).toBeTruthy();
    expect(await client.recordsOf('notifications', '/notifications', orderId)).toEqual([]);
  });
});
