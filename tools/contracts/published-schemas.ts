import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { eventCatalog } from '../../apps/console/src/catalog/event-catalog';
import { services } from '../services';
import { incompatibilities } from './compatibility';

/** Each contract's payload JSON Schema as it was published: what consumers were written against. */
export const PUBLISHED_DIR = join(repositoryRoot(), 'tools/contracts/published');

/** The nearest folder with a package.json: the repository, whether this runs from source or from dist/. */
function repositoryRoot(from = __dirname): string {
  return existsSync(join(from, 'package.json')) || dirname(from) === from ? from : repositoryRoot(dirname(from));
}

export interface ContractCheck {
  type: string;
  current: Record<string, unknown>;
  published?: Record<string, unknown>;
  problems: string[];
}

export function checkContracts(directory = PUBLISHED_DIR): ContractCheck[] {
  return eventCatalog(services, 'shop').map((event) => {
    const file = join(directory, `${event.type}.json`);
    const published = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
    return { type: event.type, current: event.payloadSchema, published, problems: published ? incompatibilities(published, event.payloadSchema) : [] };
  });
}

/** Records new contracts and compatible changes; never an incompatible one. Returns what it wrote. */
export function recordPublishedSchemas(directory = PUBLISHED_DIR): { written: string[]; refused: ContractCheck[] } {
  const written: string[] = [];
  const refused: ContractCheck[] = [];
  for (const check of checkContracts(directory)) {
    if (check.problems.length > 0) {
      refused.push(check);
      continue;
    }
    if (JSON.stringify(check.published) === JSON.stringify(check.current)) continue;
    writeFileSync(join(directory, `${check.type}.json`), `${JSON.stringify(check.current, null, 2)}\n`);
    written.push(check.type);
  }
  return { written, refused };
}
