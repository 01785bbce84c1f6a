import request from 'supertest';
import { OPERATOR_TOKEN, READER_TOKEN, startConsoleStack, type ConsoleStack } from '../support/console-stack';

/** Logs in through the form, as a browser does: fetch the form's CSRF token, post it with the token. */
async function loggedIn(stack: ConsoleStack, token: string, name = 'ada') {
  const agent = request.agent(stack.console.getHttpServer());
  const form = await agent.get('/login').expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
  await agent.post('/login').type('form').send({ _csrf: csrf, name, token, next: '/' }).expect(303).expect('location', '/');
  const overview = await agent.get('/').expect(200);
  const pageCsrf = /name="_csrf" value="([^"]+)"/.exec(overview.text)?.[1] ?? '';
  return { agent, csrf: pageCsrf };
}

describe('console access and overview', () => {
  let stack: ConsoleStack;

  beforeAll(async () => {
    // Shipping is left out: the overview must show it as down, not fail.
    stack = await startConsoleStack(['orders', 'payments']);
  });

  afterAll(() => stack?.stop());

  it('shows nothing without a login: pages go to the login form, fragments and data get 401', async () => {
    const http = stack.console.getHttpServer();
    for (const path of ['/', '/audit', '/overview/rows']) {
      const response = await request(http).get(path).set('accept', 'text/html');
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    await request(http).get('/overview/rows').set('hx-request', 'true').expect(401).expect('hx-redirect', '/login');
    await request(http).get('/').set('accept', 'application/json').expect(401);
    await request(http).get('/health/live').expect(200);
    await request(http).get('/assets/htmx.min.js').expect(200).expect('content-type', /javascript/);
    const login = await request(http).get('/login').expect(200);
    expect(login.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(login.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('refuses a wrong token and a login without its CSRF token', async () => {
    const agent = request.agent(stack.console.getHttpServer());
    const form = await agent.get('/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    const refused = await agent.post('/login').type('form').send({ _csrf: csrf, name: 'mallory', token: 'not-the-operator-token-at-all' }).expect(401);
    expect(refused.text).toContain('That token is not valid.');
    await agent.post('/login').type('form').send({ name: 'mallory', token: OPERATOR_TOKEN }).expect(403);
    await agent.get('/').set('accept', 'text/html').expect(303);
  });

  it('shows one row per service after login, the missing one as down', async () => {
    const { agent } = await loggedIn(stack, OPERATOR_TOKEN);
    const { text } = await agent.get('/overview/rows').expect(200).expect('content-type', /html/);
    for (const service of ['orders', 'inventory', 'payments', 'billing', 'shipping', 'notifications']) expect(text).toContain(`data-service="${service}"`);
    const row = (service: string) => new RegExp(`data-service="${service}"[\\s\\S]*?</tr>`).exec(text)?.[0] ?? '';
    expect(row('orders')).toContain('status-up');
    expect(row('payments')).toContain('status-up');
    expect(row('shipping')).toContain('status-down');
    expect(row('shipping')).toMatch(/ECONNREFUSED/);
  });

  it('requires the CSRF token on every action, even logged in, and records logins in the audit log', async () => {
    const { agent, csrf } = await loggedIn(stack, OPERATOR_TOKEN, 'grace');
    await agent.post('/logout').expect(403);
    const audit = await agent.get('/audit').expect(200);
    expect(audit.text).toMatch(/grace<\/td><td>operator<\/td><td>login/);
    await agent.post('/logout').set('x-csrf-token', csrf).expect(303);
    await agent.get('/').set('accept', 'text/html').expect(303);
  });

  it('logs a reader in with the read-only token: every page, no action', async () => {
    const { agent, csrf } = await loggedIn(stack, READER_TOKEN, 'reader');
    const { text } = await agent.get('/').expect(200);
    expect(text).toContain('reader (reader)');
    await agent.get('/failures').expect(200);
    for (const action of ['/failures/retry', '/failures/archive', '/outbox/release', '/outbox/replay']) {
      const refused = await agent.post(action).set('x-csrf-token', csrf).type('form').send({ scope: 'all', service: 'payments', messageId: 'm', id: '1' });
      expect([action, refused.status]).toEqual([action, 403]);
    }
    const audit = await agent.get('/audit').expect(200);
    expect(audit.text).not.toMatch(/reader<\/td><td>reader<\/td><td>(retry|archive|release|replay)/);
  });

  it('refuses an operator action without the CSRF token', async () => {
    const { agent } = await loggedIn(stack, OPERATOR_TOKEN);
    await agent.post('/failures/retry').type('form').send({ scope: 'all' }).expect(403);
  });
});
