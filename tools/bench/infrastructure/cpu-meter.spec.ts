import { mergeUsage, perMessageMs, type CpuUsage } from './cpu-meter';

const usage = (overrides: Partial<CpuUsage>): CpuUsage => ({
  wallSeconds: 2,
  services: { 'orders (outbox)': 0.5 },
  postgres: 0.25,
  emulator: 0.1,
  bench: 0.05,
  kernel: 0,
  other: 0,
  ...overrides,
});

describe('CPU per message', () => {
  it('turns cores over a window into milliseconds of CPU per message moved, per process', () => {
    // 0.5 cores for 2 s is 1,000 ms of CPU; over 4,000 messages, 0.25 ms each.
    expect(perMessageMs(usage({ messages: 4000 }))).toEqual({ services: { 'orders (outbox)': 0.25 }, postgres: 0.125, emulator: 0.05, bench: 0.025 });
  });

  it('has no per-message figure for a window that moved no messages', () => {
    expect(perMessageMs(usage({}))).toBeUndefined();
    expect(perMessageMs(usage({ messages: 0 }))).toBeUndefined();
  });

  it('adds up the messages of merged windows, so their per-message figure is the whole run’s', () => {
    const merged = mergeUsage([usage({ wallSeconds: 1, postgres: 1, messages: 1000 }), usage({ wallSeconds: 3, postgres: 0, messages: 1000 })]);
    expect(merged?.messages).toBe(2000);
    // 1 core for 1 s, then nothing for 3 s: 1,000 ms of Postgres CPU over 2,000 messages.
    expect(merged && perMessageMs(merged)?.postgres).toBe(0.5);
  });
});
