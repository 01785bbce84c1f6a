import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_CHAOS_OPTIONS, runChaos } from './chaos-runner';
import { formatReport } from './report';

const positive = (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError('expected a non-negative number');
  return number;
};

const defaults = DEFAULT_CHAOS_OPTIONS;
const program = new Command()
  .name('chaos')
  .description('Runs the whole shop as processes under load while killing and restarting its parts, then checks nothing was lost or doubled.')
  .option('-d, --duration <seconds>', 'how long orders flow and faults are injected', positive, defaults.durationMs / 1000)
  .option('-r, --rate <orders/s>', 'orders placed per second', positive, defaults.ordersPerSecond)
  .option('--in-flight <orders>', 'orders waiting for an answer at most', positive, defaults.maxOrdersInFlight)
  .option('--kill-every <seconds>', 'SIGKILL a random service this often (0: never)', positive, defaults.killEveryMs / 1000)
  .option('--restart-within <seconds>', 'a killed service is restarted within this', positive, defaults.restartDelayMs / 1000)
  .option('--postgres-every <seconds>', 'restart Postgres this often (0: never)', positive, defaults.postgresRestartEveryMs / 1000)
  .option('--postgres-outage <seconds>', 'how long Postgres stays down each time', positive, defaults.postgresOutageMs / 1000)
  .option('--emulator-every <seconds>', 'take the SNS/SQS emulator away this often (0: never)', positive, defaults.emulatorOutageEveryMs / 1000)
  .option('--emulator-outage <seconds>', 'for this long', positive, defaults.emulatorOutageMs / 1000)
  .option('--faults-every <seconds>', 'make a handler fail for a while this often (0: never)', positive, defaults.faultWindowEveryMs / 1000)
  .option('--fault-window <seconds>', 'for this long', positive, defaults.faultWindowMs / 1000)
  .option('--payment-timeout <seconds>', 'orders unpaid after this long are cancelled (0: the service default); orders then race their deadline', positive, defaults.paymentTimeoutSeconds)
  .option('--payment-delay <seconds>', 'payments takes up to this long to record some of the provider answers (0: no delay)', positive, defaults.paymentDelayMs / 1000)
  .option('--poison <count>', 'messages sent on purpose that must be dead-lettered', positive, defaults.poisonCount)
  .option('--seed <number>', 'seed of the random choices (orders, victims)', positive, defaults.seed)
  .option('--settle-timeout <seconds>', 'how long the shop may take to settle after the run', positive, defaults.quiesceTimeoutMs / 1000)
  .option('--keep', 'keep the scratch folder (data and service logs) even when the run passed', false)
  .option('--json', 'print the report as JSON', false)
  .parse();

async function main(): Promise<void> {
  const flags = program.opts();
  const ms = (value: number) => Math.round(value * 1000);
  const report = await runChaos({
    ...defaults,
    durationMs: ms(flags.duration),
    ordersPerSecond: flags.rate,
    maxOrdersInFlight: flags.inFlight,
    killEveryMs: ms(flags.killEvery),
    restartDelayMs: ms(flags.restartWithin),
    postgresRestartEveryMs: ms(flags.postgresEvery),
    postgresOutageMs: ms(flags.postgresOutage),
    emulatorOutageEveryMs: ms(flags.emulatorEvery),
    emulatorOutageMs: ms(flags.emulatorOutage),
    faultWindowEveryMs: ms(flags.faultsEvery),
    faultWindowMs: ms(flags.faultWindow),
    paymentTimeoutSeconds: flags.paymentTimeout,
    paymentDelayMs: ms(flags.paymentDelay),
    poisonCount: flags.poison,
    seed: flags.seed,
    quiesceTimeoutMs: ms(flags.settleTimeout),
    keepWorkDir: flags.keep,
    log: flags.json ? (line) => console.error(`[chaos] ${line}`) : (line) => console.log(`[chaos] ${line}`),
  });
  console.log(flags.json ? JSON.stringify(report, null, 2) : `\n${formatReport(report)}`);
  process.exitCode = report.passed ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(`[chaos] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(2);
});
