import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

export interface InfrastructurePaths {
  /** Compiled local-stack scripts (dist/tools/local-stack). */
  scripts: string;
  workDir: string;
}

/**
 * PostgreSQL and the SNS/SQS emulator as child processes, the way `npm start` runs them (the
 * local stack's own scripts), so they can be stopped and started again mid-run on the same data
 * and port: Postgres keeps its data directory, the emulator its SQLite file with every queued and
 * in-flight message. Each stops itself if this process dies (its IPC channel closes).
 */
export class Infrastructure {
  private postgres?: ChildProcess;
  private emulator?: ChildProcess;

  constructor(
    private readonly paths: InfrastructurePaths,
    readonly pgPort: number,
    readonly emulatorPort: number,
  ) {}

  get emulatorEndpoint(): string {
    return `http://127.0.0.1:${this.emulatorPort}`;
  }

  get emulatorRunning(): boolean {
    return isRunning(this.emulator);
  }

  async startPostgres(): Promise<void> {
    this.postgres = await this.startChild('postgres-process.js', 'postgres', {
      POSTGRES_DATA_DIR: join(this.paths.workDir, 'postgres'),
      POSTGRES_PORT: String(this.pgPort),
      POSTGRES_DATABASE: 'shop',
    });
  }

  /** A clean shutdown (Postgres' fast mode: sessions are ended, the checkpoint is written). */
  stopPostgres(): Promise<void> {
    return stopChild(this.postgres);
  }

  async startEmulator(): Promise<void> {
    this.emulator = await this.startChild('emulator-process.js', 'emulator', {
      EMULATOR_PORT: String(this.emulatorPort),
      EMULATOR_DATA_DIR: join(this.paths.workDir, 'emulator'),
    });
  }

  stopEmulator(): Promise<void> {
    return stopChild(this.emulator);
  }

  async stop(): Promise<void> {
    await Promise.all([this.stopEmulator(), this.stopPostgres()]);
  }

  private startChild(script: string, name: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
    const log = openSync(join(this.paths.workDir, `${name}.log`), 'a');
    const child = fork(join(this.paths.scripts, script), [], {
      env: { ...process.env, ...env },
      // Its own process group: a Ctrl-C meant for the run reaches it only through the run's shutdown.
      detached: true,
      stdio: ['ignore', log, log, 'ipc'],
      execArgv: ['--disable-warning=ExperimentalWarning'],
    });
    closeSync(log);
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${name} exited with code ${code} before it was ready (log: ${name}.log)`));
      child.once('exit', onExit);
      child.once('message', () => {
        child.off('exit', onExit);
        resolve(child);
      });
    });
  }
}

function isRunning(child: ChildProcess | undefined): child is ChildProcess {
  return !!child && child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL if it has not gone within the grace period. */
function stopChild(child: ChildProcess | undefined, graceMs = 15_000): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
