import type { Progress } from '@app/operations';
import { Presets, SingleBar } from 'cli-progress';

/** A bar on stderr, so stdout stays clean for the result (and for `--json`). Draws nothing when stderr is not a terminal. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const bar = new SingleBar(
    { format: `${label} [{bar}] {value}/{total} | {duration_formatted}`, stream, hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  let started = false;
  return {
    start: (total) => {
      started = true;
      bar.start(total, 0);
    },
    setTotal: (total) => bar.setTotal(total),
    increment: (count = 1) => bar.increment(count),
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
