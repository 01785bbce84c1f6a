import { PassThrough } from 'node:stream';
import { BenchProgress, type ProgressStreams } from './progress';

/** A stream that keeps what was written, a terminal or not. */
function capture(isTTY: boolean): PassThrough & { isTTY: boolean; text(): string } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; text(): string; columns?: number };
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  stream.isTTY = isTTY;
  if (isTTY) {
    // What cli-progress needs of a terminal.
    stream.columns = 120;
    Object.assign(stream, { cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  }
  stream.text = () => chunks.join('');
  return stream;
}

/** A latency run as the bench drives it: one phase, a tick per second of a 20-second run. */
function latencyRun(progress: BenchProgress): void {
  progress.scenario('3/4 end to end', 50);
  progress.phase(0, 'through the outbox: warming up');
  for (let second = 0; second < 3; second++) progress.tick(second / 46);
  progress.phase(3 / 46, 'through the outbox: 50 orders/s for 20s');
  for (let second = 0; second < 20; second++) progress.tick((3 + second) / 46, `(${second}s)`);
  progress.aside('waiting for other processes to quieten (latency, direct publish)');
  for (let reading = 0; reading < 10; reading++) progress.tick(-1, `(waiting: other processes use ${reading / 10 + 0.3} cores)`);
}

describe('bench progress', () => {
  it('prints one line per phase, not per tick, when stdout is piped (npm run bench | tee log)', () => {
    const stderr = capture(true);
    const progress = new BenchProgress(100, { stdout: { isTTY: false }, stderr } satisfies ProgressStreams);
    latencyRun(progress);
    progress.stop();
    expect(stderr.text().split('\n').filter(Boolean)).toEqual([
      '[bench] 3/4 end to end',
      '[bench] 3/4 end to end: through the outbox: warming up',
      '[bench] 3/4 end to end: through the outbox: 50 orders/s for 20s',
      '[bench] 3/4 end to end: waiting for other processes to quieten (latency, direct publish)',
    ]);
  });

  it('prints one line per phase when both streams go to a log (> log 2>&1)', () => {
    const stderr = capture(false);
    const progress = new BenchProgress(100, { stdout: { isTTY: false }, stderr });
    latencyRun(progress);
    expect(progress.interactive).toBe(false);
    expect(stderr.text().split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('draws a bar and prints no phase lines on a terminal', () => {
    const stderr = capture(true);
    const progress = new BenchProgress(100, { stdout: { isTTY: true }, stderr });
    latencyRun(progress);
    progress.stop();
    expect(progress.interactive).toBe(true);
    expect(stderr.text()).toContain('100%');
    expect(stderr.text()).not.toContain('[bench]');
  });
});
