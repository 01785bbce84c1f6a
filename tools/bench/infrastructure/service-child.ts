import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildMessage, CommandMessage } from './ipc-protocol';

export interface MemoryReading {
  /** Peak resident set size over the process's life so far (VmHWM), MiB. */
  peakRssMiB: number;
  rssMiB: number;
}

/**
 * A service under test in its own Node process: started from the compiled bench, told what to do
 * over IPC, its memory read from /proc. Its output goes to a log file in the run's work folder,
 * shown if it fails, so the bench's own event loop never spends time on it.
 */
export class ServiceChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly noticeListeners = new Set<{ name: string; listener: (data: unknown) => void; onExit: (error: Error) => void }>();
  private lastMemory?: MemoryReading;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number | undefined,
    readonly logFile: string,
  ) {
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'notice') {
        for (const entry of this.noticeListeners) if (entry.name === message.name) entry.listener(message.data);
        return;
      }
      if (message.kind !== 'reply') return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.result);
      else waiter?.reject(new Error(`${name}: ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      const exited = () => new Error(`${name} exited (${code ?? signal}); log: ${logFile}`);
      for (const waiter of this.pending.values()) waiter.reject(exited());
      this.pending.clear();
      for (const { onExit } of this.noticeListeners) onExit(exited());
      this.noticeListeners.clear();
    });
  }

  /** Forks `script` (relative to this folder's parent) and resolves once it reports ready. */
  static start(name: string, script: string, env: NodeJS.ProcessEnv, workDir: string): Promise<ServiceChild> {
    const logFile = join(workDir, `${name.replace(/[^a-z0-9-]+/gi, '-')}-${Date.now()}.log`);
    const out = openSync(logFile, 'a');
    const child = fork(join(__dirname, '..', script), [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', out, out, 'ipc'],
      execArgv: ['--disable-warning=ExperimentalWarning'],
    });
    closeSync(out);
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${name} exited with code ${code} before it was ready:\n${tail(logFile)}`));
      child.once('exit', onExit);
      child.on('message', (message: ChildMessage) => {
        if (message.kind !== 'ready') return;
        child.off('exit', onExit);
        resolve(new ServiceChild(name, child, message.port, logFile));
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  request<T>(command: string, args?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ kind: 'command', id, command, args } satisfies CommandMessage);
    });
  }

  /**
   * Calls `listener` with each `name` notice the service sends of its own accord (see notify), until
   * the returned function is called; `onExit` instead if the process exits first, so a wait on its
   * notices ends as a request to it would.
   */
  onNotice<T>(name: string, listener: (data: T) => void, onExit: (error: Error) => void): () => void {
    const entry = { name, listener: listener as (data: unknown) => void, onExit };
    this.noticeListeners.add(entry);
    return () => this.noticeListeners.delete(entry);
  }

  /** The service's own Prometheus text, from its /metrics route. */
  async metricsText(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
  }

  /** Reads VmHWM/VmRSS; after the process has exited, the last reading taken. */
  memory(): MemoryReading {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      this.lastMemory = { peakRssMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
    } catch {
      // Gone already: keep the last reading.
    }
    return this.lastMemory ?? { peakRssMiB: 0, rssMiB: 0 };
  }

  /** Reads the peak memory one last time, then stops the service gracefully (killing it if it hangs). */
  async stop(): Promise<MemoryReading> {
    const memory = this.memory();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return memory;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.request('stop').catch(() => undefined);
    const killTimer = setTimeout(() => this.child.kill('SIGKILL'), 8000);
    await exited;
    clearTimeout(killTimer);
    return memory;
  }
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
