import type { Progress } from '@app/operations';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

export interface Job {
  id: string;
  label: string;
  total: number;
  done: number;
  finished: boolean;
  /** What the operator reads when it is over. */
  outcome?: string;
  failed?: boolean;
}

/**
 * Long actions (a retry of a whole group, a replay) run in the background and report through the
 * operations' Progress; the page polls the job until it is finished. Kept in memory: a job is
 * watched by the operator who started it, and its result is in the audit log.
 */
@Injectable()
export class Jobs {
  private readonly jobs = new Map<string, Job>();

  start(label: string, work: (progress: Progress) => Promise<string>): Job {
    const job: Job = { id: randomUUID(), label, total: 0, done: 0, finished: false };
    this.jobs.set(job.id, job);
    const progress: Progress = {
      start: (total) => (job.total = total),
      setTotal: (total) => (job.total = total),
      increment: (count = 1) => (job.done += count),
      stop: () => undefined,
    };
    work(progress)
      .then((outcome) => Object.assign(job, { finished: true, outcome }))
      .catch((error: unknown) => Object.assign(job, { finished: true, failed: true, outcome: (error as Error).message }));
    // Forget finished jobs after a while; the audit log keeps what they did.
    setTimeout(() => this.jobs.delete(job.id), 3_600_000).unref();
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }
}
