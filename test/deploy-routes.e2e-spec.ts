import request from 'supertest';
import { KNOWN_ROUTES, LIVENESS_ROUTE, READINESS_ROUTE } from './deploy/support/expectations';
import { allShopServices, startShop, type RunningShop } from './support/shop';

/**
 * The deployment checks (test/deploy) hold probes and health commands to KNOWN_ROUTES; this spec
 * holds KNOWN_ROUTES to what every real service serves, so a renamed route fails here.
 */
describe('routes the deployment artefacts rely on', () => {
  let shop: RunningShop;

  beforeAll(async () => {
    shop = await startShop(allShopServices);
  });

  afterAll(() => shop?.stop());

  it('lists the probe routes among the known routes', () => {
    expect(KNOWN_ROUTES).toEqual(expect.arrayContaining([LIVENESS_ROUTE, READINESS_ROUTE]));
  });

  it.each(allShopServices)('%s serves every known route with 200', async (service) => {
    for (const route of KNOWN_ROUTES) {
      const response = await request(shop.http(service)).get(route).redirects(1);
      expect({ route, status: response.status }).toEqual({ route, status: 200 });
    }
  });
});
