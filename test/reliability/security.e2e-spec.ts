import { createSnsClient, createSqsClient, loadConfig, messagingEnvSchema, queueArn, topicArn, TopologyNames } from '@app/messaging';
import { ListSubscriptionsCommand, type SNSClient, type Subscription } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { gzipSync } from 'node:zlib';
import { services } from '../../tools/services';
import { allShopServices, startShop, type RunningShop } from '../support/shop';
import { ShopClient } from '../support/shop-client';

const OPS_TOKEN = 'reliability-suite-ops-token-0123456789';
const ADMIN_ROUTES = [
  { method: 'get', path: '/admin/messaging', ok: 200 },
  { method: 'post', path: '/admin/messaging/outbox/relay', ok: 202 },
  { method: 'post', path: '/admin/messaging/retention/sweep', ok: 201 },
] as const;

/** Ways of presenting the token that must not open the routes. */
const WRONG_CREDENTIALS: [string, Record<string, string>][] = [
  ['no Authorization header', {}],
  ['an empty bearer token', { authorization: 'Bearer ' }],
  ['a wrong token of the same length', { authorization: `Bearer ${'x'.repeat(OPS_TOKEN.length)}` }],
  ['a prefix of the token', { authorization: `Bearer ${OPS_TOKEN.slice(0, -1)}` }],
  ['the token with a suffix', { authorization: `Bearer ${OPS_TOKEN}x` }],
  ['the token as Basic credentials', { authorization: `Basic ${Buffer.from(`ops:${OPS_TOKEN}`).toString('base64')}` }],
  ['the token in another header', { 'x-ops-token': OPS_TOKEN }],
];

describe('security of the running shop', () => {
  let shop: RunningShop;
  let client: ShopClient;

  beforeAll(async () => {
    shop = await startShop(allShopServices, { OPS_TOKEN });
    client = new ShopClient(shop);
  });

  afterAll(() => shop?.stop());

  describe('admin routes', () => {
    it.each(allShopServices)('%s answers 401 to every wrong credential, and serves the right token', async (service) => {
      for (const route of ADMIN_ROUTES) {
        for (const [, headers] of WRONG_CREDENTIALS) {
          const response = await client.http(service)[route.method](route.path).set(headers);
          expect({ route: route.path, headers, status: response.status }).toEqual({ route: route.path, headers, status: 401 });
        }
        const query = await client.http(service)[route.method](`${route.path}?token=${OPS_TOKEN}`);
        expect(query.status).toBe(401);
        await client.http(service)[route.method](route.path).set('authorization', `Bearer ${OPS_TOKEN}`).expect(route.ok);
      }
    });

    it.each([
      ['unset', {}],
      ['blank', { OPS_TOKEN: '' }],
    ])('do not exist when OPS_TOKEN is %s (404, whatever is presented)', async (_how, overrides) => {
      const bare = await startShop(['orders'], overrides);
      try {
        for (const route of ADMIN_ROUTES) {
          await new ShopClient(bare).http('orders')[route.method](route.path).expect(404);
          await new ShopClient(bare).http('orders')[route.method](route.path).set('authorization', `Bearer ${OPS_TOKEN}`).expect(404);
        }
      } finally {
        await bare.stop();
      }
    });
  });

  describe('request bodies', () => {
    const order = { customerId: 'security-spec', currency: 'EUR', items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 100 }] };
    const padded = (bytes: number) => ({ ...order, padding: 'x'.repeat(bytes) });

    it.each([
      ['orders', 'post', '/orders'],
      ['inventory', 'post', '/stock/SKU-SECURITY/adjustments'],
      ['orders', 'post', '/admin/messaging/outbox/relay'],
    ] as const)('%s %s %s answers 413 past the 64 KiB limit, as JSON and as a form', async (service, method, path) => {
      const json = await client.http(service)[method](path).set('authorization', `Bearer ${OPS_TOKEN}`).send(padded(65 * 1024));
      expect(json.status).toBe(413);
      const call = client.http(service)[method](path);
      const form = await call.set('authorization', `Bearer ${OPS_TOKEN}`).type('form').send(`padding=${'x'.repeat(65 * 1024)}`);
      expect(form.status).toBe(413);
    });

    it('measures the limit after decompression: a small gzip bomb is a 413, a small gzip body is taken', async () => {
      const gzipped = async (body: unknown) => {
        const compressed = gzipSync(JSON.stringify(body));
        // As raw bytes: supertest would otherwise serialise the buffer as JSON.
        const response = await client.http('orders').post('/orders').set('content-type', 'application/json').set('content-encoding', 'gzip').serialize((data) => data).send(compressed as unknown as string);
        return { size: compressed.length, status: response.status, text: response.text };
      };
      const bomb = await gzipped(padded(16 * 1024 * 1024));
      expect(bomb.size).toBeLessThan(64 * 1024);
      expect(bomb.status).toBe(413);
      expect((await gzipped(order)).status).toBe(202);
    });

    it('takes a body just under the limit', async () => {
      const response = await client.http('orders').post('/orders').send({ ...order, customerId: 'c'.repeat(100) });
      expect(response.status).toBe(202);
    });

    it('follows HTTP_BODY_LIMIT when it is set lower', async () => {
      const small = await startShop(['orders'], { HTTP_BODY_LIMIT: '1kb' });
      try {
        const http = new ShopClient(small).http('orders');
        await http.post('/orders').send(padded(2 * 1024)).expect(413);
        await http.post('/orders').send(order).expect(202);
      } finally {
        await small.stop();
      }
    });
  });

  describe('queue policies', () => {
    let sqs: SQSClient;
    let sns: SNSClient;

    beforeAll(() => {
      const { aws } = loadConfig(messagingEnvSchema, shop.env);
      sqs = createSqsClient(aws);
      sns = createSnsClient(aws);
    });

    afterAll(() => {
      sqs?.destroy();
      sns?.destroy();
    });

    async function subscriptions(): Promise<Subscription[]> {
      const all: Subscription[] = [];
      let NextToken: string | undefined;
      do {
        const page = await sns.send(new ListSubscriptionsCommand({ NextToken }));
        all.push(...(page.Subscriptions ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      return all;
    }

    it.each(services.map((service) => [service.name, service] as const))('%s: only the topics its queue subscribes to may send to it', async (_name, service) => {
      const { aws, topologyPrefix } = loadConfig(messagingEnvSchema, shop.env);
      const names = new TopologyNames(topologyPrefix);
      const queue = names.queue(service.topology);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy', 'QueueArn'] }));
      const policy = JSON.parse(Attributes.Policy ?? '{}');

      // What the emulator actually has subscribed to this queue, and what the topology says it consumes.
      const subscribed = (await subscriptions()).filter((subscription) => subscription.Endpoint === queueArn(aws, queue)).map((subscription) => subscription.TopicArn);
      const consumed = [...new Set(service.topology.consumes.map((contract) => topicArn(aws, names.topic(contract))))];
      expect([...new Set(subscribed)].sort()).toEqual([...consumed].sort());

      expect(policy.Statement).toHaveLength(1);
      const [statement] = policy.Statement;
      expect(statement).toMatchObject({ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: Attributes.QueueArn });
      expect(Object.keys(statement.Condition)).toEqual(['ArnEquals']);
      expect([statement.Condition.ArnEquals['aws:SourceArn']].flat().sort()).toEqual([...consumed].sort());
    });

    it.each(services.map((service) => service.name))('%s: its dead-letter queue takes nothing from any topic', async (name) => {
      const service = services.find((candidate) => candidate.name === name);
      const { topologyPrefix } = loadConfig(messagingEnvSchema, shop.env);
      const deadLetterQueue = new TopologyNames(topologyPrefix).deadLetterQueue(service!.topology);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: deadLetterQueue }));
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }));
      expect(Attributes.Policy).toBeUndefined();
      expect((await subscriptions()).filter((subscription) => subscription.Endpoint?.endsWith(`:${deadLetterQueue}`))).toEqual([]);
    });
  });
});
