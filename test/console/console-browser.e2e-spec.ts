import { createSqsClient, EVENT_TYPE_ATTRIBUTE, loadConfig, locateQueue, messagingEnvSchema, TopologyNames } from '@app/messaging';
import { waitFor } from '@app/messaging/testing';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser } from '../support/browser';
import { OPERATOR_TOKEN, startConsoleStack, type ConsoleStack } from '../support/console-stack';
import { allShopServices } from '../support/shop';
import { anOrder, ShopClient, unique } from '../support/shop-client';

/** `npm run screenshots` keeps them for the README; otherwise they go to a scratch folder. */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS ?? join(tmpdir(), 'console-screenshots');

describe('the operations console in a real browser', () => {
  let stack: ConsoleStack;
  let client: ShopClient;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  let sqs: SQSClient;
  let paymentsQueue: string;

  beforeAll(async () => {
    stack = await startConsoleStack(allShopServices);
    client = new ShopClient(stack.shop);
    const config = loadConfig(messagingEnvSchema, stack.shop.env);
    sqs = createSqsClient(config.aws);
    const names = new TopologyNames(config.topologyPrefix);
    paymentsQueue = await locateQueue(sqs, names.queue({ service: 'payments', publishes: [], consumes: [] }));
    browser = await openBrowser();
    page = await browser.context.newPage();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    sqs?.destroy();
    await stack?.stop();
  });

  const go = (path: string) => page.goto(`${stack.url}${path}`);

  it('shows nothing without the token', async () => {
    for (const path of ['/', '/failures', '/flow?q=x', '/catalog', '/outbox', '/audit', '/asyncapi.json']) {
      await go(path);
      expect(new URL(page.url()).pathname).toBe('/login');
      await expect(page.locator('body').textContent()).resolves.not.toMatch(/orders|payments|shop\.order/);
    }
    const response = await page.request.post(`${stack.url}/failures/retry`, { form: { scope: 'all' }, maxRedirects: 0 });
    expect([401, 403]).toContain(response.status());
    await page.fill('#name', 'ada');
    await page.fill('#token', 'a-wrong-token-of-some-length');
    await page.click('button[type=submit]');
    await expect(page.locator('[role=alert]').textContent()).resolves.toContain('That token is not valid.');
  });

  it('logs in and shows every service up, live', async () => {
    await go('/login');
    await page.fill('#name', 'ada');
    await page.fill('#token', OPERATOR_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForSelector('#services');
    for (const service of allShopServices) await page.waitForSelector(`tr[data-service="${service}"] .status-up`);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-overview.png') });
  });

  it('follows an order through its flow to SHIPPED', async () => {
    const sku = await client.stockedSku(10);
    const correlationId = unique('browser-flow');
    const orderId = await client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 1_250 }]), correlationId);
    await go(`/flow?q=${orderId}`);
    // The page refreshes itself while the transaction moves; the last step is orders handling the dispatch.
    await page.waitForSelector('#flow-table tr[data-type="shop.shipment.dispatched.v1"] [data-consumer="orders"]:has-text("handled")', { timeout: 30_000 });
    await expect(page.locator('#flow-diagram').count()).resolves.toBe(1);
    // Each handling shows how long its handler ran, in the table and under the diagram's arrows.
    await expect(page.locator('#flow-table tr[data-type="shop.order.placed.v1"] .duration').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#flow-diagram text.handling').count()).resolves.toBeGreaterThan(0);
    const types = await page.locator('#flow-table tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['shop.order.placed.v1', 'shop.stock.reserved.v1', 'shop.payment.completed.v1', 'shop.shipment.dispatched.v1']));
    expect((await client.order(orderId)).status).toBe('SHIPPED');
    await page.locator('.diagram').screenshot({ path: join(SCREENSHOTS, 'console-flow.png') });
  });

  it('groups a poison message and a schema violation, fixes the bad one by editing it, and the order completes', async () => {
    // Payments is away, so the order's StockReserved waits in its queue; the test takes it and breaks it.
    await stack.stopService('payments');
    await go('/');
    await page.waitForSelector('tr[data-service="payments"] .status-down');
    const sku = await client.stockedSku(5);
    const orderId = await client.placeOrder(anOrder([{ sku, quantity: 1, unitPrice: 990 }]), unique('browser-fix'));
    const reserved = await waitFor(
      async () => {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: paymentsQueue, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }));
        const match = Messages.find((message) => message.Body?.includes(orderId) && message.Body.includes('shop.stock.reserved.v1'));
        for (const message of Messages.filter((other) => other !== match)) await sqs.send(new DeleteMessageCommand({ QueueUrl: paymentsQueue, ReceiptHandle: message.ReceiptHandle }));
        return match;
      },
      { what: `the StockReserved of ${orderId} in the payments queue`, timeoutMs: 30_000 },
    );
    await sqs.send(new DeleteMessageCommand({ QueueUrl: paymentsQueue, ReceiptHandle: reserved.ReceiptHandle }));
    const valid = JSON.parse(reserved.Body ?? '');
    const broken = { ...valid, data: { ...valid.data, amount: 'nine ninety' } };
    const attributes = { [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: 'shop.stock.reserved.v1' } };
    await sqs.send(new SendMessageCommand({ QueueUrl: paymentsQueue, MessageBody: JSON.stringify(broken), MessageAttributes: attributes }));
    const poisonMarker = unique('poison');
    await sqs.send(new SendMessageCommand({ QueueUrl: paymentsQueue, MessageBody: `not json ${poisonMarker}`, MessageAttributes: attributes }));
    await stack.startService('payments');

    // Both show up, each in a group of its own.
    await waitFor(
      async () => {
        await go('/failures?service=payments');
        const codes = await page.locator('#failure-groups tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-code')));
        return codes.includes('SCHEMA_VIOLATION') && codes.includes('NOT_JSON') ? codes : undefined;
      },
      { what: 'both dead letters grouped on the failures page', timeoutMs: 40_000, intervalMs: 1000 },
    );
    await page.locator('#failure-groups tr[data-code="SCHEMA_VIOLATION"] a.button').click();
    await page.waitForSelector('#letters');
    await page.screenshot({ path: join(SCREENSHOTS, 'console-failure-group.png') });
    await page.locator('#letters a').first().click();
    await expect(page.locator('#reason').textContent()).resolves.toContain('amount');
    // Its place in the flow: the order's StockReserved, dead-lettered at payments.
    await page.waitForSelector('#flow-table tr[data-type="shop.stock.reserved.v1"] [data-consumer="payments"] a.bad:has-text("SCHEMA_VIOLATION")');

    // The editor refuses the body as it is, then accepts the corrected one.
    await page.click('text=Check against the contract');
    await expect(page.locator('#check-problems').textContent()).resolves.toContain('data.amount');
    await page.fill('#body', JSON.stringify({ ...broken, data: { ...broken.data, amount: valid.data.amount } }, null, 2));
    await page.click('text=Check against the contract');
    await page.waitForSelector('#check-ok');
    await page.click('#retry-edited');
    await page.waitForSelector('#retried');
    await client.orderIn(orderId, 'SHIPPED');

    // The poison is archived: gone from the list, kept under Archived.
    await go('/failures?service=payments');
    await page.locator('#failure-groups tr[data-code="NOT_JSON"] a.button').click();
    await expect(page.locator('#letters tbody tr').count()).resolves.toBe(1);
    await page.locator('#letters input[type=checkbox]').check();
    await page.click('text=Archive selected');
    await page.waitForURL(`${stack.url}/failures`);
    await expect(page.locator('#failure-groups tr[data-code="NOT_JSON"]').count()).resolves.toBe(0);
    await go('/failures/archived');
    await expect(page.locator('#archived').textContent()).resolves.toContain('NOT_JSON');
    await expect(page.locator('#archived').textContent()).resolves.toContain('payments');
  });

  it('keeps who did what in the audit log, with the diff of the edit', async () => {
    await go('/audit');
    const log = (await page.locator('#audit-log').textContent()) ?? '';
    expect(log).toMatch(/ada\s*operator\s*archive/);
    expect(log).toMatch(/ada\s*operator\s*retry-edited/);
    expect(log).toMatch(/ada\s*operator\s*login/);
    await page.locator('#audit-log tr:has-text("retry-edited") summary').click();
    await expect(page.locator('#audit-log tr:has-text("retry-edited") pre').textContent()).resolves.toMatch(/-\s+"amount": "nine ninety"[\s\S]*\+\s+"amount": 990/);
  });

  it('serves the event catalog and its AsyncAPI document', async () => {
    await go('/catalog');
    await expect(page.locator('#catalog tr[data-type="shop.order.placed.v1"]').textContent()).resolves.toContain('orders');
    const response = await page.request.get(`${stack.url}/asyncapi.json`);
    expect(await response.json()).toMatchObject({ asyncapi: '3.0.0' });
  });

  it('logs out, and then nothing is reachable again', async () => {
    await go('/');
    await page.click('text=Log out');
    await page.waitForURL(/\/login/);
    await go('/failures');
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});
