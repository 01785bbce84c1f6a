import { startEmulator } from '@app/messaging/testing';
import { serveCommands } from './ipc-protocol';

/**
 * The SNS/SQS emulator in a process of its own, so the bench can say how much CPU and memory the
 * broker took apart from the load generators, and the load generators do not share its event loop.
 */
async function main(): Promise<void> {
  const emulator = await startEmulator();
  serveCommands({}, () => emulator.stop(), Number(new URL(emulator.endpoint).port));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
