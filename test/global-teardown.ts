interface Stoppable {
  stop(): Promise<void>;
}

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as { __stack?: { postgres: Stoppable; emulator: Stoppable } }).__stack;
  if (!stack) return;
  (globalThis as { __stack?: unknown }).__stack = undefined;
  await stack.emulator.stop();
  await stack.postgres.stop();
}
