import { importEsm } from '@app/messaging/testing';

/**
 * The SNS/SQS emulator as a child process of the local stack (own process group, like the
 * database), quiet and persistent: queued messages survive a restart like the Postgres data does.
 */
async function main(): Promise<void> {
  const { startFauxqs } = await importEsm<{ startFauxqs: (options: Record<string, unknown>) => Promise<{ stop(): Promise<void> }> }>('fauxqs');
  const server = await startFauxqs({
    port: Number(process.env.EMULATOR_PORT ?? 4566),
    logger: false,
    ...(process.env.EMULATOR_DATA_DIR ? { dataDir: process.env.EMULATOR_DATA_DIR } : {}),
  });
  const stop = () => void server.stop().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  // The stack died without stopping us: do not linger as an orphan holding the port.
  process.once('disconnect', stop);
  process.send?.('ready');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
