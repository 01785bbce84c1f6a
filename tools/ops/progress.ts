import { Presets, SingleBar } from 'cli-progress';

/** How a long operation reports how far it is; the logic never knows whether anyone is watching. */
export interface Progress {
  start(total: number): void;
  /** The total was an estimate (a queue's approximate depth): correct it. */
  setTotal(total: number): void;
  increment(count?: number): void;
  stop(): void;
}

export const silentProgress: Progress = { start: () => undefined, setTotal: () => undefined, increment: () => undefined, stop: () => undefined };

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
