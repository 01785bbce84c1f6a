import type { BenchContext } from '../bench-context';
import { mergeUsage, type CpuUsage } from '../infrastructure/cpu-meter';
import { waitBeforeRun } from '../infrastructure/quiet-machine';
import type { Figure } from '../report/results';

/**
 * Repetitions of one throughput measurement, each with the CPU it used, reported as the fastest.
 * The machine is shared: other processes can only slow a run down, so the fastest of a few runs is
 * the least disturbed one. Every run is kept in `samples`.
 */
/** Where a run's CPU window starts and ends, when not at its own start and end. */
export interface RunClock {
  start(): void;
  stop(): void;
}

/** A run's rate, with what else it observed. */
export interface RunResult {
  rate: number;
  details?: Record<string, number>;
}

export class Runs {
  readonly samples: number[] = [];
  private readonly usages: CpuUsage[] = [];
  private readonly details: (Record<string, number> | undefined)[] = [];

  constructor(private readonly name: string) {}

  /**
   * Runs `run`, which moves `messages` messages and returns its rate, and keeps the CPU used from its
   * start to its end, or between its calls of `clock.start` (after loading its work, so the loading
   * is not counted) and `clock.stop` (before its checks afterwards).
   */
  async measure(ctx: BenchContext, messages: number, run: (clock: RunClock) => Promise<number | RunResult>): Promise<number> {
    await waitBeforeRun(ctx, `${this.name}, run ${this.samples.length + 1}`);
    let start = ctx.cpu.snapshot();
    let usage: CpuUsage | undefined;
    const result = await run({ start: () => (start = ctx.cpu.snapshot()), stop: () => (usage = ctx.cpu.since(start, messages)) });
    usage ??= ctx.cpu.since(start, messages);
    const { rate, details } = typeof result === 'number' ? { rate: result, details: undefined } : result;
    this.usages.push(usage);
    this.samples.push(rate);
    this.details.push(details);
    return rate;
  }

  figure(label: string, unit: string): Figure {
    const best = this.samples.indexOf(Math.max(...this.samples));
    const details = this.details[best];
    return { label, value: this.samples[best], unit, samples: this.samples, cpu: this.usages[best] ?? mergeUsage(this.usages), ...(details ? { details } : {}) };
  }
}
