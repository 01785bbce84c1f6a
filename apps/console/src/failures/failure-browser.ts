import { consumingServices, groupFailures, listDeadLetters, type DeadLetter, type FailureGroup, type QueueOps } from '@app/operations';
import { Inject, Injectable } from '@nestjs/common';
import { QUEUE_OPS } from '../system/queue-ops';
import { ArchivedFailures } from './archived-failures';

/** How many dead letters of one DLQ a page reads: enough to group, bounded so a page stays quick. */
const READ_LIMIT = 500;
/** Messages are held only while a page reads them, then made visible again. */
const BROWSE = { holdSeconds: 15, waitSeconds: 0 };

export interface ServiceFailures {
  service: string;
  letters: DeadLetter[];
  groups: FailureGroup[];
  /** The DLQ holds more than a page reads. */
  truncated: boolean;
  problem?: string;
}

/** Every DLQ of the system, read without consuming, less what an operator archived, grouped. */
@Injectable()
export class FailureBrowser {
  constructor(
    @Inject(QUEUE_OPS) private readonly queues: QueueOps,
    private readonly archived: ArchivedFailures,
  ) {}

  async all(): Promise<ServiceFailures[]> {
    const archived = await this.archived.archivedIds();
    return Promise.all(consumingServices(this.queues).map((service) => this.read(service.name, archived)));
  }

  async ofService(service: string): Promise<ServiceFailures> {
    return this.read(service, await this.archived.archivedIds());
  }

  async letter(service: string, messageId: string): Promise<DeadLetter | undefined> {
    const { letters } = await this.read(service, new Set());
    return letters.find((letter) => letter.messageId === messageId);
  }

  private async read(service: string, archived: ReadonlySet<string>): Promise<ServiceFailures> {
    try {
      const listing = await listDeadLetters(this.queues, service, { limit: READ_LIMIT, browse: BROWSE });
      const letters = listing.messages.filter((letter) => !archived.has(`${service}/${letter.messageId}`));
      return { service, letters, groups: groupFailures(service, letters), truncated: listing.truncated };
    } catch (error) {
      return { service, letters: [], groups: [], truncated: false, problem: (error as Error).message };
    }
  }
}
