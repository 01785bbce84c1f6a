/** How a long operation reports how far it is; the logic never knows whether anyone is watching. */
export interface Progress {
  start(total: number): void;
  /** The total was an estimate (a queue's approximate depth): correct it. */
  setTotal(total: number): void;
  increment(count?: number): void;
  stop(): void;
}

export const silentProgress: Progress = { start: () => undefined, setTotal: () => undefined, increment: () => undefined, stop: () => undefined };
