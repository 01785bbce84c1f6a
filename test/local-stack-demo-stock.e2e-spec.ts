import { DEMO_STOCK, seedDemoStock } from '../tools/local-stack/demo-stock';
import { startShop, type RunningShop } from './support/shop';
import { ShopClient } from './support/shop-client';

/** `npm start` stocks the README's SKUs through inventory's API, since no migration does. */
describe('the local stack’s demo stock', () => {
  let shop: RunningShop;
  let client: ShopClient;
  let inventoryUrl: string;

  beforeAll(async () => {
    shop = await startShop(['inventory']);
    client = new ShopClient(shop);
    const inventory = shop.replicasOf('inventory')[0];
    await inventory.listen(0, '127.0.0.1');
    inventoryUrl = (await inventory.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(() => shop?.stop());

  it('stocks every demo SKU on a fresh database, once: a restart on kept data adds nothing', async () => {
    const logged: string[] = [];
    await seedDemoStock(inventoryUrl, (line) => logged.push(line));
    for (const [sku, units] of Object.entries(DEMO_STOCK)) expect(await client.stock(sku)).toEqual({ available: units, reserved: 0 });
    expect(logged).toHaveLength(Object.keys(DEMO_STOCK).length);

    await client.adjustStock('SKU-1', -10, 'sold in the walkthrough');
    await seedDemoStock(inventoryUrl, (line) => logged.push(line));
    expect(await client.stock('SKU-1')).toEqual({ available: DEMO_STOCK['SKU-1'] - 10, reserved: 0 });
    expect(logged).toHaveLength(Object.keys(DEMO_STOCK).length);
  });
});
