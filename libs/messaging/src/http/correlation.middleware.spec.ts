import express from 'express';
import request from 'supertest';
import { currentMessageContext } from '../context/message-context';
import { CorrelationMiddleware } from './correlation.middleware';

/** An app whose one route answers with the unit of work's context, as the middleware set it. */
function appWithMiddleware() {
  const app = express();
  const middleware = new CorrelationMiddleware();
  app.use(middleware.use.bind(middleware));
  app.get('/context', (_request, response) => {
    response.json(currentMessageContext() ?? null);
  });
  return app;
}

describe('HTTP correlation and trace headers', () => {
  const app = appWithMiddleware();
  const valid = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it.each([
    ['not-a-traceparent'],
    [`00-${'a'.repeat(32)}-${'b'.repeat(16)}-01${'x'.repeat(250)}`],
    [`00-${'0'.repeat(32)}-b7ad6b7169203331-01`],
    ['00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'],
    ['ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
  ])('regression: ignores the invalid traceparent %s and starts a trace of its own', async (traceparent) => {
    const { body } = await request(app).get('/context').set('traceparent', traceparent).expect(200);
    expect(body.traceparent).toBeUndefined();
  });

  it('continues a valid traceparent', async () => {
    const { body } = await request(app).get('/context').set('traceparent', valid).expect(200);
    expect(body.traceparent).toBe(valid);
  });

  it.each([['x'.repeat(129)], ['has spaces'], ['<script>'], ['a,b']])('regression: answers 400 naming the header for the correlation id %s', async (correlationId) => {
    const { body } = await request(app).get('/context').set('x-correlation-id', correlationId).expect(400);
    expect(body.message).toEqual([expect.stringMatching(/^x-correlation-id must be/)]);
  });

  it('keeps a valid correlation id and echoes it, and makes one when there is none', async () => {
    const kept = await request(app).get('/context').set('x-correlation-id', 'order-42:retry.1').expect(200);
    expect(kept.body.correlationId).toBe('order-42:retry.1');
    expect(kept.headers['x-correlation-id']).toBe('order-42:retry.1');
    const made = await request(app).get('/context').expect(200);
    expect(made.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
