import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServiceSpec {
  name: string;
  /** Absolute path of the compiled entry point. */
  main: string;
  port: number;
}

export interface ServiceFigures {
  kills: number;
  starts: number;
  /** Exits before it ever answered (start-up gave up, e.g. while the database was away). */
  startupFailures: number;
  /** Exits nobody asked for after it was up (a crash), with the end of the log at the time. */
  crashes: { at: string; code: number | null; signal: string | null; logTail: string }[];
}

/**
 * One service as a real process, restarted like an orchestrator would: after we kill it, and
 * after it exits on its own (a crash, or giving up at start-up while the database is away).
 */
export class SupervisedService {
  readonly figures: ServiceFigures = { kills: 0, starts: 0, startupFailures: 0, crashes: [] };
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private killing = false;
  private stopping = false;
  private up = false;

  constructor(
    readonly spec: ServiceSpec,
    private readonly env: NodeJS.ProcessEnv,
    private readonly hostScript: string,
    private readonly workDir: string,
    /** Called whenever its process has ended, asked to or not. */
    private readonly onExit: (service: SupervisedService) => void = () => undefined,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Counts starts, so a reading taken from an earlier process can be told apart. */
  get incarnation(): number {
    return this.figures.starts;
  }

  get logFile(): string {
    return join(this.workDir, `${this.spec.name}.log`);
  }

  start(): void {
    if (this.running || this.stopping) return;
    this.figures.starts += 1;
    this.up = false;
    const log = openSync(this.logFile, 'a');
    const child = fork(this.hostScript, [], {
      env: { ...this.env, PORT: String(this.spec.port), CHAOS_SERVICE_MAIN: this.spec.main },
      stdio: ['ignore', log, log, 'ipc'],
      execArgv: ['--disable-warning=ExperimentalWarning'],
    });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const expected = this.killing || this.stopping;
        this.killing = false;
        if (!expected) {
          if (this.up) this.figures.crashes.push({ at: new Date().toISOString(), code, signal, logTail: tail(this.logFile) });
          else this.figures.startupFailures += 1;
          // Back after a pause, as a restart policy would; start-up gives up while the database is down.
          setTimeout(() => this.start(), 1000).unref();
        }
        this.onExit(this);
        resolve();
      });
    });
  }

  /** Answers its liveness probe (and is then known to have started). */
  async live(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/health/live`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) this.markUp();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** It has answered over HTTP since it was last started. */
  markUp(): void {
    if (this.running) this.up = true;
  }

  /** SIGKILL: no drain, no shutdown hooks, whatever was in flight is cut. Resolves once it is gone. */
  async kill(): Promise<void> {
    if (!this.running || !this.child) return;
    this.figures.kills += 1;
    this.killing = true;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A graceful stop (SIGTERM, then SIGKILL if it hangs), for the end of the run. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.running || !this.child) return;
    const child = this.child;
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.kill('SIGTERM');
    await this.exited;
    clearTimeout(killer);
  }
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
