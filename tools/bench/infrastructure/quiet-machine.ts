import type { BenchContext } from '../bench-context';

/**
 * This machine may be shared (builds, test runs): waits until processes outside the bench use less
 * than a quarter of a core over `sampleMs`, for at most `maxSeconds`, so a measurement does not start
 * in the middle of someone else's burst. Notes it when they never quieten.
 */
export async function waitForQuietMachine(ctx: BenchContext, what: string, maxSeconds: number, sampleMs = 1000): Promise<void> {
  const deadline = Date.now() + maxSeconds * 1000;
  let announced = false;
  for (;;) {
    const start = ctx.cpu.snapshot();
    await new Promise((resolve) => setTimeout(resolve, sampleMs));
    const { other } = ctx.cpu.since(start);
    if (other < 0.25) return;
    if (Date.now() > deadline) {
      ctx.notes.push(`${what}: started while other processes used ${other} cores`);
      return;
    }
    if (!announced) ctx.progress.aside(`waiting for other processes to quieten (${what})`);
    announced = true;
    ctx.progress.tick(-1, `(waiting: other processes use ${other} cores)`);
  }
}

/** Before each measured run: a shorter look and a shorter wait than before a scenario. */
export const waitBeforeRun = (ctx: BenchContext, what: string) => waitForQuietMachine(ctx, what, Math.min(10, ctx.options.quietWaitSeconds), 300);
