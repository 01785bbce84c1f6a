/** What the bench and a service under test say to each other over the child's IPC channel. */
export interface CommandMessage {
  readonly kind: 'command';
  readonly id: number;
  readonly command: string;
  readonly args?: unknown;
}

export type ChildMessage =
  | { readonly kind: 'ready'; readonly port?: number }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: string }
  // Sent by the service of its own accord, so the bench can wait on it without asking it again and again.
  | { readonly kind: 'notice'; readonly name: string; readonly data: unknown };

export type CommandHandlers = Record<string, (args: never) => unknown>;

/**
 * Milliseconds on CLOCK_MONOTONIC, which Linux shares between processes: a time taken in a service
 * and one taken in the bench can be subtracted.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * The child side: answers the bench's commands (and `memory`, with process.memoryUsage()), reports
 * ready, and exits when told to stop or when the bench goes away (its IPC channel closes), so no
 * service outlives a run.
 */
export function serveCommands(handlers: CommandHandlers, stop: () => Promise<void>, readyPort?: number): void {
  const send = (message: ChildMessage) => process.send?.(message);
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const deadline = new Promise((resolve) => setTimeout(resolve, 5000).unref());
    await Promise.race([stop().catch(() => undefined), deadline]);
    process.exit(code);
  };
  process.on('message', (message: CommandMessage) => {
    if (message?.kind !== 'command') return;
    if (message.command === 'stop') {
      send({ kind: 'reply', id: message.id, ok: true, result: null });
      void shutdown(0);
      return;
    }
    const handler = message.command === 'memory' ? () => process.memoryUsage() : handlers[message.command];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.command}`);
        return (handler as (args: unknown) => unknown)(message.args);
      })
      .then(
        (result) => send({ kind: 'reply', id: message.id, ok: true, result: result ?? null }),
        (error: unknown) => send({ kind: 'reply', id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  process.once('disconnect', () => void shutdown(1));
  send({ kind: 'ready', port: readyPort });
}

/** The child side: tells the bench something it has not asked for (ServiceChild.onNotice hears it). */
export function notify(name: string, data: unknown): void {
  process.send?.({ kind: 'notice', name, data } satisfies ChildMessage);
}

/**
 * What a baseline consumer has handled since the bench last reset it, and when its first handler
 * started: the counters and the two commands (`reset`, `handled`) the consumer scenario sends.
 */
export class HandledTally {
  private handled = 0;
  private firstAt?: number;

  started(): void {
    this.firstAt ??= monotonicMs();
  }

  add(count = 1): void {
    this.handled += count;
  }

  get commands(): CommandHandlers {
    return {
      reset: () => {
        this.handled = 0;
        this.firstAt = undefined;
      },
      handled: () => ({ handled: this.handled, firstAt: this.firstAt }),
    };
  }
}
