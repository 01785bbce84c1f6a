import { Controller, Get, type INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DATABASE_OUTAGE_RETRY_AFTER_SECONDS, DatabaseOutageFilter } from './database-outage.filter';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 192.0.2.10:443'), { code: 'ECONNREFUSED' });

@Controller()
class CallsElsewhereController {
  @Get('refused')
  refused(): never {
    throw refused();
  }

  @Get('broken')
  broken(): never {
    throw new Error('a bug');
  }
}

/** The filter in a real Nest app; the judge of an outage (the consumer's, over the database) is the port it takes. */
async function appJudgedBy(explains: (error: unknown) => Promise<boolean>) {
  const judged: unknown[] = [];
  const moduleRef = await Test.createTestingModule({ controllers: [CallsElsewhereController] }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new DatabaseOutageFilter(app.get(HttpAdapterHost).httpAdapter, { explains: (error) => (judged.push(error), explains(error)) }));
  await app.init();
  return { app, judged };
}

describe('DatabaseOutageFilter', () => {
  it('regression: a refused connection to something other than the database stays a 500, not a 503', async () => {
    const { app, judged } = await appJudgedBy(async () => false);
    const response = await request(app.getHttpServer()).get('/refused').expect(500);
    expect(response.headers['retry-after']).toBeUndefined();
    expect(judged).toHaveLength(1);
    await app.close();
  });

  it('answers 503 with Retry-After when the judge confirms the database is unreachable', async () => {
    const { app } = await appJudgedBy(async () => true);
    const response = await request(app.getHttpServer()).get('/refused').expect(503);
    expect(response.headers['retry-after']).toBe(String(DATABASE_OUTAGE_RETRY_AFTER_SECONDS));
    expect(response.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'The database is unreachable; retry later' });
    await app.close();
  });

  it('asks nothing about errors that are no connection failure', async () => {
    const { app, judged } = await appJudgedBy(async () => true);
    await request(app.getHttpServer()).get('/broken').expect(500);
    expect(judged).toEqual([]);
    await app.close();
  });
});
