import type { BenchContext } from '../bench-context';
import { mergeUsage, type CpuUsage } from '../infrastructure/cpu-meter';
import { waitBeforeRun } from '../infrastructure/quiet-machine';
import type { Figure } from '../report/results';
import { median } from '../report/statistics';

/** Repetitions of one measurement, each with the CPU it used; reported as their median. */
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
    return { label, value: median(this.samples), unit, samples: this.samples, cpu: mergeUsage(this.usages) };
  }
}
