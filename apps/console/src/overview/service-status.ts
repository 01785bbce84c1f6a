import { deadLetterOverview, type QueueDepth, type QueueOps } from '@app/operations';
import { Inject, Injectable } from '@nestjs/common';
import { AdminClient, type AdminStatus } from '../system/admin-client';
import { CONSOLE_DIRECTORY, type DirectoryEntry } from '../system/service-directory';
import { QUEUE_OPS } from '../system/queue-ops';
import { RateWindow, type Rates } from './rate-window';

/** One row of the overview. */
export interface ServiceStatus {
  service: string;
  /** `down` when its admin API does not answer; the reason says why. */
  up: boolean;
  problem?: string;
  queue?: QueueDepth;
  deadLetters?: number;
  queueProblem?: string;
  outboxPending?: number;
  outboxOldestSeconds?: number;
  parked?: number;
  consumerSinceLastPollSeconds?: number;
  consumes: boolean;
  rates?: Rates;
}

/** Reads every service at once; one that is down costs its row, never the page. */
@Injectable()
export class ServiceStatusReader {
  private readonly windows = new Map<string, RateWindow>();

  constructor(
    @Inject(CONSOLE_DIRECTORY) private readonly directory: readonly DirectoryEntry[],
    @Inject(QUEUE_OPS) private readonly queues: QueueOps,
    private readonly admin: AdminClient,
  ) {}

  async read(): Promise<ServiceStatus[]> {
    const [depths, rows] = await Promise.all([deadLetterOverview(this.queues), Promise.all(this.directory.map((service) => this.readService(service)))]);
    for (const row of rows) {
      const depth = depths.find((entry) => entry.service === row.service);
      if (!depth) continue;
      row.queue = depth.queueDepth;
      row.deadLetters = depth.deadLetterDepth ? depth.deadLetterDepth.visible + depth.deadLetterDepth.inFlight : undefined;
      row.queueProblem = depth.problem;
    }
    return rows;
  }

  private async readService(service: DirectoryEntry): Promise<ServiceStatus> {
    const consumes = service.topology.consumes.length > 0;
    try {
      const [status, metrics, outbox] = await Promise.all([this.admin.status(service), this.admin.metrics(service), this.admin.outbox(service, 1)]);
      const window = this.windows.get(service.name) ?? new RateWindow();
      this.windows.set(service.name, window);
      return { service: service.name, up: true, consumes, ...fromStatus(status), parked: outbox.summary.parked, rates: window.add(metrics) };
    } catch (error) {
      return { service: service.name, up: false, consumes, problem: (error as Error).message };
    }
  }
}

function fromStatus(status: AdminStatus): Partial<ServiceStatus> {
  return {
    outboxPending: status.outbox.pending,
    outboxOldestSeconds: status.outbox.oldestPendingSeconds,
    consumerSinceLastPollSeconds: status.consumer.consumes === false ? undefined : status.consumer.sinceLastPollSeconds,
  };
}
