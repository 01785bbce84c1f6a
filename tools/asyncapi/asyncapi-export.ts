import { asyncApiDocument } from '../../apps/console/src/catalog/asyncapi-document';
import { eventCatalog } from '../../apps/console/src/catalog/event-catalog';
import { services } from '../services';

/** The shop's AsyncAPI document as `npm run asyncapi` writes it and the console serves it. */
export function shopAsyncApi(prefix = 'shop'): Record<string, unknown> {
  return asyncApiDocument(eventCatalog(services, prefix), { title: 'shop events', version: '1.0.0' });
}

export const ASYNCAPI_FILE = 'docs/asyncapi.json';
