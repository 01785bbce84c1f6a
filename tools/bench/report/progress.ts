import { SingleBar } from 'cli-progress';

/**
 * One bar for the whole run, on stderr. Each scenario owns a share of it sized by its expected
 * duration and moves through that share as its steps complete. Without a terminal (CI, a pipe),
 * each step is printed as a line instead.
 */
export class BenchProgress {
  private readonly bar?: SingleBar;
  private done = 0;
  private share = 0;
  private label = '';
  private lastFraction = 0;

  constructor(private readonly total: number) {
    if (process.stderr.isTTY) {
      this.bar = new SingleBar({
        format: '{bar} {percentage}% | {duration_formatted} elapsed, ~{eta_formatted} left | {label} {detail}',
        barsize: 30,
        hideCursor: true,
        etaBuffer: 50,
      });
      this.bar.start(total, 0, { label: 'starting', detail: '' });
    }
  }

  /** Enters a scenario expected to take `share` of the total. */
  scenario(label: string, share: number): void {
    this.done += this.share;
    this.share = share;
    this.label = label;
    this.lastFraction = 0;
    this.update(0, '');
  }

  /** Where the current scenario is: a fraction of its share (negative: unchanged), and what it is doing. */
  update(fraction: number, detail: string): void {
    if (fraction < 0) fraction = this.lastFraction;
    this.lastFraction = fraction;
    if (this.bar) {
      this.bar.update(Math.min(this.total, this.done + this.share * Math.min(1, Math.max(0, fraction))), { label: this.label, detail });
    } else if (detail) {
      console.error(`[bench] ${this.label}: ${detail}`);
    }
  }

  stop(): void {
    if (!this.bar) return;
    this.bar.update(this.total, { label: 'done', detail: '' });
    this.bar.stop();
  }
}
