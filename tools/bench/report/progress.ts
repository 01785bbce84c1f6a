import { SingleBar } from 'cli-progress';

/** Where progress goes: the bar (or the phase lines) on stderr, and whether the run is watched at all. */
export interface ProgressStreams {
  stdout: { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * One bar for the whole run, on stderr. Each scenario owns a share of it sized by its expected
 * duration and moves through that share as its phases and ticks come in.
 *
 * The bar is drawn only when both stdout and stderr are terminals: someone is watching. Otherwise
 * (CI, `npm run bench | tee log`, `> log 2>&1`) each scenario and each phase is one line, and ticks
 * (a latency run's seconds, a wait's readings) print nothing, so a log holds a line per step of the
 * run rather than one per second of it.
 */
export class BenchProgress {
  private readonly bar?: SingleBar;
  private readonly stderr: ProgressStreams['stderr'];
  private done = 0;
  private share = 0;
  private label = '';
  private phaseText = '';
  private lastFraction = 0;

  constructor(
    private readonly total: number,
    streams: ProgressStreams = { stdout: process.stdout, stderr: process.stderr },
  ) {
    this.stderr = streams.stderr;
    if (streams.stdout.isTTY && streams.stderr.isTTY) {
      this.bar = new SingleBar({
        format: '{bar} {percentage}% | {duration_formatted} elapsed, ~{eta_formatted} left | {label} {detail}',
        barsize: 30,
        hideCursor: true,
        etaBuffer: 50,
        stream: streams.stderr,
      });
      this.bar.start(total, 0, { label: 'starting', detail: '' });
    }
  }

  /** Whether a bar is drawn (a terminal) rather than a line per phase. */
  get interactive(): boolean {
    return this.bar !== undefined;
  }

  /** Enters a scenario expected to take `share` of the total. */
  scenario(label: string, share: number): void {
    this.done += this.share;
    this.share = share;
    this.label = label;
    this.phaseText = '';
    this.lastFraction = 0;
    this.line(label);
    this.draw(0, '');
  }

  /** A new step of the current scenario, `fraction` of the way through its share: a line when piped. */
  phase(fraction: number, text: string): void {
    this.phaseText = text;
    this.line(`${this.label}: ${text}`);
    this.draw(fraction, text);
  }

  /** Something worth a line in a log that is not a step of its own (a wait); on the bar, nothing. */
  aside(text: string): void {
    this.line(`${this.label}: ${text}`);
  }

  /**
   * Movement within the current phase (negative fraction: unchanged), with an optional status shown
   * after the phase's text on the bar. Never printed when piped.
   */
  tick(fraction: number, status?: string): void {
    this.draw(fraction < 0 ? this.lastFraction : fraction, status ? `${this.phaseText} ${status}`.trim() : this.phaseText);
  }

  stop(): void {
    if (!this.bar) return;
    this.bar.update(this.total, { label: 'done', detail: '' });
    this.bar.stop();
  }

  private draw(fraction: number, detail: string): void {
    this.lastFraction = fraction;
    this.bar?.update(Math.min(this.total, this.done + this.share * Math.min(1, Math.max(0, fraction))), { label: this.label, detail });
  }

  private line(text: string): void {
    if (!this.bar) this.stderr.write(`[bench] ${text}\n`);
  }
}
