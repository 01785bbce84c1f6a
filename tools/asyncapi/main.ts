import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ASYNCAPI_FILE, shopAsyncApi } from './asyncapi-export';

/** `npm run asyncapi`: writes the AsyncAPI 3.0 document of every event to docs/asyncapi.json. */
const target = join(resolve(__dirname, '../../..'), ASYNCAPI_FILE);
writeFileSync(target, `${JSON.stringify(shopAsyncApi(process.env.TOPOLOGY_PREFIX ?? 'shop'), null, 2)}\n`);
console.log(`wrote ${ASYNCAPI_FILE}`);
