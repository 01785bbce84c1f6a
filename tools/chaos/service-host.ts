/**
 * Runs one compiled service in this process, and ends it if the chaos runner that started it goes
 * away (its IPC channel closes), so a runner that dies never leaves services behind. The service
 * is this very process: a SIGKILL sent to it kills the service, mid-whatever it was doing.
 */
const main = process.env.CHAOS_SERVICE_MAIN;
if (!main) {
  console.error('CHAOS_SERVICE_MAIN is not set');
  process.exit(2);
}
process.once('disconnect', () => process.exit(1));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the service's compiled entry point, chosen at run time
require(main);
