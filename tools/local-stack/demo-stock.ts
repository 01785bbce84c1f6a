/** What a fresh local stack puts on the shelf, so the README walkthrough works at once. */
export const DEMO_STOCK: Readonly<Record<string, number>> = { 'SKU-1': 1000, 'SKU-2': 1000, 'SKU-3': 1000, 'SKU-4': 1000, 'SKU-5': 1000, 'SKU-RARE': 1 };

/**
 * Stocks the demo SKUs through inventory's API, as an operator would, once: a SKU that exists
 * already (a restart on kept data) is left as it is. Demo stock belongs to the local stack, never
 * to a migration, which would put it on every database, production included.
 */
export async function seedDemoStock(inventoryUrl: string, log: (message: string) => void, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready(inventoryUrl))) {
    if (Date.now() > deadline) throw new Error(`inventory was not ready at ${inventoryUrl} within ${timeoutMs / 1000} s; no demo stock`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  for (const [sku, units] of Object.entries(DEMO_STOCK)) {
    const existing = await fetch(`${inventoryUrl}/stock/${sku}`);
    if (existing.status !== 404) continue;
    const response = await fetch(`${inventoryUrl}/stock/${sku}/adjustments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delta: units, reason: 'demo stock of the local stack' }),
    });
    if (!response.ok) throw new Error(`Could not stock ${sku}: HTTP ${response.status} ${await response.text()}`);
    log(`stocked ${units} × ${sku}`);
  }
}

async function ready(baseUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}
