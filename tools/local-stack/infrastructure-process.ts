import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * Starts one piece of infrastructure as a detached child (its own process group, so a terminal's
 * Ctrl-C does not reach it) and resolves once it reports ready over IPC.
 */
export function startInfrastructureProcess(script: string, env: NodeJS.ProcessEnv, what: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, script), [], {
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--disable-warning=ExperimentalWarning'],
    });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${what} exited with code ${code} before it was ready`)));
  });
}

/** Asks a child to stop and waits until it has. */
export function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
