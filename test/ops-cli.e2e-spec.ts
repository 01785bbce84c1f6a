import { createCloudEvent, DEAD_LETTER_ATTRIBUTES, defineService, EVENT_TYPE_ATTRIBUTE, loadConfig, locateQueue, messagingEnvSchema, TopologyNames } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { CommanderError } from 'commander';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  countReplayable,
  deadLetterOverview,
  listDeadLetters,
  openOps,
  OpsError,
  outboxBacklog,
  planReplay,
  redriveDeadLetters,
  replayEvents,
  showDeadLetter,
  type DeadLetter,
  type OpenOps,
  type Progress,
} from '@app/operations';
import { formatDeadLetter, formatDeadLetterListing, formatOutboxBacklog } from '../tools/ops/format';
import { createProgram } from '../tools/ops/main';
import { services, type ServiceEntry } from '../tools/services';
import { startShop, type RunningShop } from './support/shop';

const ORDER_PLACED = 'shop.order.placed.v1';
const STOCK_RESERVED = 'shop.stock.reserved.v1';
/** Tests poll the DLQ: a short poll is enough on the emulator, and keeps each probe fast. */
const QUICK_PEEK = { holdSeconds: 30, waitSeconds: 0 };

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** Records what a command reported, as a progress bar would have drawn it. */
function recordingProgress() {
  const seen = { total: -1, done: 0, stopped: false };
  const progress: Progress = {
    start: (total) => (seen.total = total),
    setTotal: (total) => (seen.total = total),
    increment: (count = 1) => (seen.done += count),
    stop: () => (seen.stopped = true),
  };
  return { seen, progress };
}

describe('ops CLI', () => {
  let shop: RunningShop;
  let ops: OpenOps;
  let names: TopologyNames;
  let paymentsQueue: string;
  let paymentsDeadLetters: string;

  beforeAll(async () => {
    shop = await startShop(['orders', 'payments']);
    ops = openOps(loadConfig(messagingEnvSchema, shop.env), services);
    names = new TopologyNames(ops.config.topologyPrefix);
    const payments = services.find((service) => service.name === 'payments')?.topology;
    if (!payments) throw new Error('payments is not a registered service');
    paymentsQueue = await locateQueue(ops.sqs, names.queue(payments));
    paymentsDeadLetters = await locateQueue(ops.sqs, names.deadLetterQueue(payments));
  });

  afterAll(async () => {
    await ops?.close();
    await shop?.stop();
  });

  const sendPoison = (marker: string) =>
    ops.sqs.send(new SendMessageCommand({ QueueUrl: paymentsQueue, MessageBody: `not json ${marker}`, MessageAttributes: { [EVENT_TYPE_ATTRIBUTE]: text(STOCK_RESERVED) } }));

  const deadLetterWith = (marker: string, except: string[] = []): Promise<DeadLetter> =>
    waitFor(
      async () => {
        const { messages } = await listDeadLetters(ops, 'payments', { limit: 100, browse: QUICK_PEEK });
        return messages.find((letter) => letter.body.includes(marker) && !except.includes(letter.messageId));
      },
      { what: `a dead letter containing ${marker}`, timeoutMs: 20_000 },
    );

  const placeOrder = async (): Promise<string> => {
    const order = { customerId: `ops-${randomUUID()}`, currency: 'EUR', items: [{ sku: 'SKU-OPS', quantity: 1, unitPrice: 990 }] };
    const response = await request(shop.http('orders')).post('/orders').send(order).expect(202);
    return response.body.orderId;
  };

  const publishedEventOf = (orderId: string) =>
    waitFor(
      async () => {
        const { rows } = await ops.db.query<{ event_id: string }>(
          `SELECT event_id FROM orders.outbox_messages WHERE envelope->'data'->>'orderId' = $1 AND published_at IS NOT NULL`,
          [orderId],
        );
        return rows[0]?.event_id;
      },
      { what: `the OrderPlaced of ${orderId} to be published` },
    );

  describe('dlq', () => {
    it('lists a dead letter with its code, reason and time, and leaves it in the DLQ', async () => {
      const marker = `poison-${randomUUID()}`;
      await sendPoison(marker);

      const letter = await deadLetterWith(marker);
      expect(letter).toMatchObject({ code: 'NOT_JSON', sourceQueue: paymentsQueue, eventType: undefined });
      expect(letter.reason).toMatch(/not JSON/);
      expect(new Date(letter.deadLetteredAt ?? '').getTime()).toBeGreaterThan(Date.now() - 60_000);

      const again = await listDeadLetters(ops, 'payments', { limit: 100, browse: QUICK_PEEK });
      expect(again.messages.map((message) => message.messageId)).toContain(letter.messageId);
      expect(again.depth.visible + again.depth.inFlight).toBeGreaterThanOrEqual(1);
      expect(formatDeadLetterListing(again)).toEqual(expect.stringContaining(letter.messageId));
    });

    it('gives each consuming service its queue and DLQ depth', async () => {
      const marker = `poison-${randomUUID()}`;
      await sendPoison(marker);
      await deadLetterWith(marker);
      const overview = await deadLetterOverview(ops);
      const consumers = services.filter((service) => service.topology.consumes.length > 0).map((service) => service.name);
      expect(overview.map((row) => row.service).sort()).toEqual([...consumers].sort());
      const payments = overview.find((row) => row.service === 'payments');
      expect(payments).toMatchObject({ queue: `${ops.config.topologyPrefix}-payments`, deadLetterQueue: `${ops.config.topologyPrefix}-payments-dlq` });
      expect(payments?.deadLetterDepth?.visible).toBeGreaterThanOrEqual(1);
    });

    it('shows one dead letter in full, and says so when the id is not there', async () => {
      const marker = `poison-${randomUUID()}`;
      await sendPoison(marker);
      const { messageId } = await deadLetterWith(marker);

      const letter = await showDeadLetter(ops, 'payments', messageId, QUICK_PEEK);
      expect(letter.attributes).toMatchObject({ [EVENT_TYPE_ATTRIBUTE]: STOCK_RESERVED, [DEAD_LETTER_ATTRIBUTES.code]: 'NOT_JSON', [DEAD_LETTER_ATTRIBUTES.sourceQueue]: paymentsQueue });
      expect(letter.body).toBe(`not json ${marker}`);
      expect(formatDeadLetter(letter)).toEqual(expect.stringContaining(marker));

      await expect(showDeadLetter(ops, 'payments', randomUUID(), QUICK_PEEK)).rejects.toThrow(OpsError);
    });

    it('redrives a valid event dead-lettered during an outage, and payments then charges it', async () => {
      const orderId = randomUUID();
      const event = createCloudEvent({
        source: '/inventory',
        type: STOCK_RESERVED,
        subject: orderId,
        correlationId: `ops-redrive-${orderId}`,
        data: {
          reservationId: randomUUID(),
          orderId,
          customerId: 'customer-ops',
          amount: 1_234,
          currency: 'EUR',
          lines: [{ sku: 'SKU-OPS', quantity: 1 }],
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      // What the consumer leaves behind when a handler keeps failing (the database was down).
      const { MessageId } = await ops.sqs.send(
        new SendMessageCommand({
          QueueUrl: paymentsDeadLetters,
          MessageBody: JSON.stringify(event),
          MessageAttributes: {
            [EVENT_TYPE_ATTRIBUTE]: text(STOCK_RESERVED),
            [DEAD_LETTER_ATTRIBUTES.code]: text('RETRIES_EXHAUSTED'),
            [DEAD_LETTER_ATTRIBUTES.reason]: text('DB_UNAVAILABLE after 5 attempts: connection refused'),
            [DEAD_LETTER_ATTRIBUTES.sourceQueue]: text(paymentsQueue),
            [DEAD_LETTER_ATTRIBUTES.at]: text(new Date().toISOString()),
          },
        }),
      );
      const listed = await deadLetterWith(event.id);
      expect(listed).toMatchObject({ messageId: MessageId, eventType: STOCK_RESERVED, eventId: event.id, code: 'RETRIES_EXHAUSTED' });

      const result = await redriveDeadLetters(ops, 'payments', { messageId: listed.messageId }, undefined, QUICK_PEEK);
      expect(result).toMatchObject({ moved: 1, failed: [], from: `${ops.config.topologyPrefix}-payments-dlq`, to: `${ops.config.topologyPrefix}-payments` });

      const payments = await waitFor(
        async () => {
          const { body } = await request(shop.http('payments')).get('/payments').query({ orderId }).expect(200);
          // REQUESTED first: the charge is recorded before the provider is called.
          return body.length > 0 && body[0].status !== 'REQUESTED' ? body : undefined;
        },
        { what: 'the redriven event to be charged' },
      );
      expect(payments).toEqual([expect.objectContaining({ orderId, amount: 1_234, status: 'COMPLETED', correlationId: `ops-redrive-${orderId}` })]);
      await expect(showDeadLetter(ops, 'payments', listed.messageId, QUICK_PEEK)).rejects.toThrow(/No message/);
    });

    it('redrives everything with --all; poison fails again and is dead-lettered anew, not moved twice', async () => {
      const markers = [`poison-${randomUUID()}`, `poison-${randomUUID()}`];
      await Promise.all(markers.map(sendPoison));
      const before = await Promise.all(markers.map((marker) => deadLetterWith(marker)));
      const { seen, progress } = recordingProgress();

      const result = await redriveDeadLetters(ops, 'payments', { all: true }, progress, QUICK_PEEK);

      expect(result.failed).toEqual([]);
      expect(result.moved).toBeGreaterThanOrEqual(2);
      expect(seen).toMatchObject({ done: result.moved, stopped: true });
      expect(seen.total).toBeGreaterThanOrEqual(result.moved);
      const after = await Promise.all(markers.map((marker, index) => deadLetterWith(marker, [before[index].messageId])));
      after.forEach((letter, index) => {
        expect(letter.code).toBe('NOT_JSON');
        expect(letter.messageId).not.toBe(before[index].messageId);
        expect(letter.deadLetteredAt && letter.deadLetteredAt >= (before[index].deadLetteredAt ?? '')).toBe(true);
      });
    });
  });

  describe('outbox backlog', () => {
    it('counts pending, failing and kept rows, and ages the oldest pending, per service schema', async () => {
      const schema = `ops_probe_${randomUUID().slice(0, 8)}`;
      await ops.db.query(`CREATE SCHEMA ${schema}`);
      await ops.db.query(`CREATE TABLE ${schema}.outbox_messages (LIKE orders.outbox_messages INCLUDING ALL)`);
      const row = (type: string, createdAgo: string, publishedAt: string | null, attempts = 0, lastError: string | null = null) =>
        ops.db.query(
          `INSERT INTO ${schema}.outbox_messages (event_id, type, topic, envelope, created_at, published_at, attempts, last_error)
           VALUES ($1, $2, 'probe', '{}', now() - $3::interval, $4, $5, $6)`,
          [randomUUID(), type, createdAgo, publishedAt, attempts, lastError],
        );
      await row('probe.a.v1', '10 minutes', null, 3, 'NotFound: topic does not exist');
      await row('probe.a.v1', '1 minute', null);
      await row('probe.a.v1', '2 days', '2025-01-02T03:04:05Z');
      await row('probe.a.v1', '3 days', '2025-01-01T00:00:00Z');
      const probe = (name: string, schemaName: string): ServiceEntry => ({
        name,
        defaultPort: 0,
        topology: defineService({ service: name, publishes: [], consumes: [] }),
        database: { schema: schemaName, entities: [], migrations: [] },
        main: '',
      });

      const [counted, missing] = await outboxBacklog({ db: ops.db, services: [probe('probe', schema), probe('absent', `${schema}_absent`)] });

      expect(counted).toMatchObject({ service: 'probe', migrated: true, pending: 2, failing: 1, lastError: 'NotFound: topic does not exist', published: 2 });
      expect(counted.lastPublishedAt?.toISOString()).toBe('2025-01-02T03:04:05.000Z');
      expect(counted.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(600);
      expect(counted.oldestPendingAgeSeconds).toBeLessThan(660);
      expect(missing).toMatchObject({ service: 'absent', migrated: false, pending: 0, published: 0 });
      expect(formatOutboxBacklog([counted, missing])).toMatch(/10m \d\ds/);
    });

    it('sees orders published once the relay has sent them', async () => {
      const publishedBefore = (await outboxBacklog(ops)).find((row) => row.service === 'orders')?.published ?? 0;
      await Promise.all([placeOrder(), placeOrder()]);

      const orders = await waitFor(
        async () => {
          const row = (await outboxBacklog(ops)).find((backlog) => backlog.service === 'orders');
          return row && row.pending === 0 && row.published === publishedBefore + 2 ? row : undefined;
        },
        { what: 'both OrderPlaced events to be published' },
      );
      expect(orders).toMatchObject({ migrated: true, oldestPendingAgeSeconds: null, failing: 0 });
      expect(orders.lastPublishedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);
      const all = await outboxBacklog(ops);
      expect(all.map((row) => row.service)).toEqual(services.map((service) => service.name));
    });
  });

  describe('replay', () => {
    it('sends a published OrderPlaced from the orders outbox to a new subscriber queue', async () => {
      const { rows } = await ops.db.query<{ now: Date }>('SELECT now() AS now');
      const since = rows[0].now;
      const orderId = await placeOrder();
      const eventId = await publishedEventOf(orderId);
      const observer = `${ops.config.topologyPrefix}-ops-observer`;
      const { QueueUrl = '' } = await ops.sqs.send(new CreateQueueCommand({ QueueName: observer }));

      const plan = planReplay(ops, { type: ORDER_PLACED, since });
      expect(plan.producer.name).toBe('orders');
      expect(await countReplayable(ops, plan)).toMatchObject({ count: 1 });
      const { seen, progress } = recordingProgress();
      const result = await replayEvents(ops, plan, QueueUrl, progress);

      expect(result).toMatchObject({ count: 1, sent: 1, failed: [] });
      expect(seen).toMatchObject({ total: 1, done: 1, stopped: true });
      const delivered = await waitFor(
        async () => {
          const { Messages = [] } = await ops.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
          for (const message of Messages) await ops.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
          return Messages[0];
        },
        { what: 'the replayed event on the observer queue' },
      );
      const envelope = JSON.parse(delivered.Body ?? '');
      expect(envelope).toMatchObject({ id: eventId, type: ORDER_PLACED, specversion: '1.0', data: expect.objectContaining({ orderId }) });
      expect(delivered.MessageAttributes?.[EVENT_TYPE_ATTRIBUTE]?.StringValue).toBe(ORDER_PLACED);
    });

    it('selects by the time events were written: nothing before --since, nothing from --until on', async () => {
      const { rows } = await ops.db.query<{ now: Date }>('SELECT now() AS now');
      const cut = rows[0].now;
      await publishedEventOf(await placeOrder());
      const before = await countReplayable(ops, planReplay(ops, { type: ORDER_PLACED, until: cut }));
      const after = await countReplayable(ops, planReplay(ops, { type: ORDER_PLACED, since: cut }));
      const all = await countReplayable(ops, planReplay(ops, { type: ORDER_PLACED }));
      expect(after.count).toBe(1);
      expect(before.count + after.count).toBe(all.count);
    });
  });

  describe('command line', () => {
    async function run(...args: string[]): Promise<{ out: string; err: string; error?: unknown }> {
      let out = '';
      let err = '';
      const program = createProgram({ env: shop.env, out: (chunk) => (out += chunk), err: (chunk) => (err += chunk), exitOverride: true, progress: () => recordingProgress().progress });
      try {
        await program.parseAsync(args, { from: 'user' });
        return { out, err };
      } catch (error) {
        return { out, err, error };
      }
    }

    it('lists its commands', async () => {
      const { out, error } = await run('--help');
      expect((error as CommanderError).code).toBe('commander.helpDisplayed');
      for (const command of ['dlq', 'outbox', 'replay']) expect(out).toContain(command);
      expect((await run('dlq', '--help')).out).toMatch(/list[\s\S]*show[\s\S]*redrive/);
    });

    it('prints the queue depths and the outbox backlog as tables', async () => {
      const depths = await run('dlq', 'list');
      expect(depths.error).toBeUndefined();
      expect(depths.out).toContain(`${ops.config.topologyPrefix}-payments-dlq`);
      const backlog = await run('outbox', 'backlog');
      expect(backlog.error).toBeUndefined();
      expect(backlog.out).toMatch(/orders[\s\S]*payments/);
      expect(backlog.out).toContain('not migrated');
    });

    it('prints dead letters as JSON with --json', async () => {
      const marker = `poison-${randomUUID()}`;
      await sendPoison(marker);
      await deadLetterWith(marker);
      const { out, error } = await run('--json', 'dlq', 'list', '--service', 'payments', '--limit', '5');
      expect(error).toBeUndefined();
      const listing = JSON.parse(out);
      expect(listing.messages.length).toBeGreaterThanOrEqual(1);
      expect(listing.messages[0]).toEqual(expect.objectContaining({ messageId: expect.any(String), code: 'NOT_JSON' }));
    });

    it('counts a replay with --dry-run and sends nothing', async () => {
      const observer = `${ops.config.topologyPrefix}-ops-dry-run`;
      const { QueueUrl } = await ops.sqs.send(new CreateQueueCommand({ QueueName: observer }));
      const { out, error } = await run('replay', '--type', ORDER_PLACED, '--queue', observer, '--since', '2000-01-01T00:00:00Z', '--dry-run');
      expect(error).toBeUndefined();
      expect(out).toMatch(new RegExp(`Would replay \\d+ ${ORDER_PLACED.replaceAll('.', '\\.')} events from orders`));
      const { Messages = [] } = await ops.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      expect(Messages).toEqual([]);
    });

    it('refuses what cannot work, saying why', async () => {
      const noSelection = await run('dlq', 'redrive', 'payments');
      expect(noSelection.error).toBeInstanceOf(CommanderError);
      expect(noSelection.err).toContain('--message <id> or --all');
      const unknownService = await run('dlq', 'show', 'nowhere', 'some-id');
      expect(unknownService.err).toMatch(/Allowed choices are .*payments/);
      const notConsumed = await run('replay', '--type', ORDER_PLACED, '--service', 'payments');
      expect(notConsumed.error).toBeInstanceOf(OpsError);
      expect((notConsumed.error as Error).message).toMatch(/"payments" does not consume shop\.order\.placed\.v1/);
      const badInstant = await run('replay', '--type', ORDER_PLACED, '--queue', 'x', '--since', 'yesterday');
      expect(badInstant.err).toMatch(/ISO-8601/);
    });
  });
});
