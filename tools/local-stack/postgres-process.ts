import { createDatabase, startEmbeddedPostgres } from '@app/messaging/testing';

/**
 * PostgreSQL as a child of the local stack, in its own process group so a Ctrl-C in the terminal
 * reaches the services first: the stack stops the database only after they have drained. If the
 * stack itself dies (even by SIGKILL), the IPC channel closes and the database is stopped too,
 * rather than left running as an orphan.
 */
async function main(): Promise<void> {
  const postgres = await startEmbeddedPostgres({ dataDir: required('POSTGRES_DATA_DIR'), port: Number(required('POSTGRES_PORT')), persistent: true });
  await createDatabase(postgres, required('POSTGRES_DATABASE'));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void postgres.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.({ ready: true, port: postgres.port });
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
