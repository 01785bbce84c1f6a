import type { BenchContext } from '../bench-context';
import { mergeUsage, type CpuUsage } from '../infrastructure/cpu-meter';
import { waitBeforeRun } from '../infrastructure/quiet-machine';
import type { Figure } from '../report/results';

/**
 * Repetitions of one throughput measurement, each with the CPU it used, reported as the fastest.
 * The machine is shared: other processes can only slow a run down, so the fastest of a few runs is
 * the least disturbed one. Every run is kept in `samples`.
 */
export class Runs {
  readonly samples: number[] = [];
  private readonly usages: CpuUsage[] = [];

  constructor(private readonly name: string) {}

  async measure(ctx: BenchContext, run: () => Promise<number>): Promise<number> {
    await waitBeforeRun(ctx, `${this.name}, run ${this.samples.length + 1}`);
    const start = ctx.cpu.snapshot();
    const value = await run();
    this.usages.push(ctx.cpu.since(start));
    this.samples.push(value);
    return value;
  }

  figure(label: string, unit: string): Figure {
    const best = this.samples.indexOf(Math.max(...this.samples));
    return { label, value: this.samples[best], unit, samples: this.samples, cpu: this.usages[best] ?? mergeUsage(this.usages) };
  }
}
