import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ordersTopology } from '../../apps/orders/src/orders.topology';
import { roleName, SCENARIOS, ServiceRegistry, type BenchContext, type BenchOptions, type ScenarioName } from './bench-context';
import { startBenchStack } from './infrastructure/bench-stack';
import { CpuMeter } from './infrastructure/cpu-meter';
import { waitForQuietMachine } from './infrastructure/quiet-machine';
import { describeMachine } from './report/machine';
import { BenchProgress } from './report/progress';
import { atMostAbsolute, compare, formatCpu, formatCpuMarkdown, formatMarkdown, formatTable, type Comparison } from './report/results';
import { consumerThroughput } from './scenarios/consumer-throughput';
import { endToEndLatency } from './scenarios/end-to-end-latency';
import { httpThroughput } from './scenarios/http-throughput';
import { outboxWrites } from './scenarios/outbox-writes';
import { relayThroughput } from './scenarios/relay-throughput';
import { timers } from './scenarios/timers';
import { sinkTopology } from './services/order-sink';

const root = resolve(__dirname, '../../..');
/** Peak resident memory a service process may reach under the bench's load. */
const MEMORY_LIMIT_MIB = 150;

const integer = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return parsed;
};

function parseOptions(argv: string[]): BenchOptions {
  const program = new Command('bench')
    .description('Measures the messaging path (outbox relay, outbox writes, consumer, end-to-end latency, HTTP, memory) and timers against baselines run beside it, with the CPU per message of every process')
    .option('--quick', 'smaller runs, about a minute in all')
    .option('--events <n>', 'outbox rows per relay run (default 10000; quick 2000)', integer)
    .option('--burst <n>', 'rows of the burst on a never-analysed outbox (default 20000; quick 5000)', integer)
    .option('--writes <n>', 'transactions per outbox-write run (default 5000; quick 1000)', integer)
    .option('--pending-timers <n>', 'timers pending in the outbox during the timers scenario (default 1000000; quick 50000)', integer)
    .option('--timer-rate <n>', 'timers falling due per second in the lateness run', integer, 500)
    .option('--timer-seconds <n>', 'length of the lateness run (default 10; quick 4)', integer)
    .option('--messages <n>', 'messages per consumer run (default 5000; quick 1000)', integer)
    .option('--published-rows <n>', 'already-published outbox rows for the large-table relay run (default 1000000; quick 50000)', integer)
    .option('--repeats <n>', 'runs of each throughput measurement; the fastest is reported (default 3; quick 1)', integer)
    .option('--rate <n>', 'orders per second in the latency scenario', integer, 50)
    .option('--latency-seconds <n>', 'length of each latency run (default 20; quick 4)', integer)
    .option('--http-seconds <n>', 'length of each HTTP run (default 10; quick 3)', integer)
    .option('--connections <n>', 'HTTP connections', integer, 10)
    .option('--no-durable', 'run Postgres with fsync and synchronous_commit off (faster, not what production runs)')
    .option('--broker-latency <ms>', "add this many ms to every SNS/SQS call the services make, a model of AWS's network distance (default 0: the emulator as it is)", integer, 0)
    .option('--log-level <level>', "the services' LOG_LEVEL", 'info')
    .option('--only <scenarios>', `comma-separated subset of ${SCENARIOS.join(',')}`)
    .option('--output <file>', 'where to write the JSON results', join(root, 'bench-results', 'latest.json'))
    .option('--diagnose', 'add the runs that explain the misses: the consumer with one transaction per receive, HTTP with the relay paused')
    .option('--service-node-options <flags>', 'NODE_OPTIONS for every service process (default: what docker/Dockerfile sets; "" for none)')
    .option('--quiet-wait <seconds>', 'before each scenario, wait up to this long for other processes to leave the CPUs alone', integer, 30)
    .option('--cpu-prof [dir]', 'write a V8 CPU profile of every service process (default folder bench-results/profiles)')
    .parse(argv);
  const raw = program.opts<{
    quick?: boolean;
    events?: number;
    burst?: number;
    writes?: number;
    pendingTimers?: number;
    timerRate: number;
    timerSeconds?: number;
    messages?: number;
    publishedRows?: number;
    repeats?: number;
    rate: number;
    latencySeconds?: number;
    httpSeconds?: number;
    connections: number;
    durable: boolean;
    brokerLatency: number;
    logLevel: string;
    only?: string;
    output: string;
    cpuProf?: string | boolean;
    quietWait: number;
    diagnose?: boolean;
    serviceNodeOptions?: string;
  }>();
  const quick = raw.quick ?? false;
  const scenarios = (raw.only?.split(',').map((name) => name.trim()) ?? [...SCENARIOS]) as ScenarioName[];
  const unknown = scenarios.filter((name) => !SCENARIOS.includes(name));
  if (unknown.length > 0) program.error(`unknown scenario(s) ${unknown.join(', ')}: choose from ${SCENARIOS.join(', ')}`);
  return {
    quick,
    events: raw.events ?? (quick ? 2000 : 10_000),
    burst: raw.burst ?? (quick ? 5000 : 20_000),
    writes: raw.writes ?? (quick ? 1000 : 5000),
    pendingTimers: raw.pendingTimers ?? (quick ? 50_000 : 1_000_000),
    timerRate: raw.timerRate,
    timerSeconds: raw.timerSeconds ?? (quick ? 4 : 10),
    messages: raw.messages ?? (quick ? 1000 : 5000),
    publishedRows: raw.publishedRows ?? (quick ? 50_000 : 1_000_000),
    repeats: raw.repeats ?? (quick ? 1 : 3),
    rate: raw.rate,
    latencySeconds: raw.latencySeconds ?? (quick ? 4 : 20),
    httpSeconds: raw.httpSeconds ?? (quick ? 3 : 10),
    connections: raw.connections,
    durable: raw.durable,
    brokerLatencyMs: raw.brokerLatency,
    logLevel: raw.logLevel,
    scenarios,
    output: resolve(raw.output),
    quietWaitSeconds: raw.quietWait,
    diagnose: raw.diagnose ?? false,
    serviceNodeOptions: raw.serviceNodeOptions ?? imageNodeOptions(),
    cpuProfileDir: raw.cpuProf ? resolve(typeof raw.cpuProf === 'string' ? raw.cpuProf : join(root, 'bench-results', 'profiles')) : undefined,
  };
}

/** Services are measured as they are deployed: with the NODE_OPTIONS the image gives them (the heap cap). */
function imageNodeOptions(): string {
  const dockerfile = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8');
  // NODE_OPTIONS=--one-flag, or NODE_OPTIONS="--several --flags".
  const match = /NODE_OPTIONS=(?:"([^"]*)"|(\S+))/.exec(dockerfile);
  if (!match) throw new Error('docker/Dockerfile sets no NODE_OPTIONS; pass --service-node-options');
  return match[1] ?? match[2];
}

/** Rough seconds each scenario takes here, so the progress bar moves evenly. */
function expectedSeconds(options: BenchOptions): Record<ScenarioName, number> {
  return {
    relay: 10 + options.repeats * (7 * (options.events / 2500 + 3) + 2 * (options.burst / 2500 + 3)) + options.publishedRows / 25_000,
    writes: 5 + options.repeats * 2 * (options.writes / 1500),
    timers: 15 + options.repeats * 2 * (options.events / 2500 + 3) + options.pendingTimers / 25_000 + options.timerSeconds + 8,
    consumer: 3 * (3 + options.repeats * (options.messages / 800 + 3)),
    latency: 2 * (4 + options.latencySeconds) + 3,
    http: 2 * (4 + options.httpSeconds),
  };
}

const scenarioRunners: Record<ScenarioName, { label: string; run: (ctx: BenchContext) => Promise<Comparison[]> }> = {
  relay: { label: 'relay', run: relayThroughput },
  writes: { label: 'outbox writes', run: outboxWrites },
  timers: { label: 'timers', run: timers },
  consumer: { label: 'consumer', run: consumerThroughput },
  latency: { label: 'end to end', run: endToEndLatency },
  http: { label: 'HTTP', run: httpThroughput },
};

/** The processes the services are compared with: not services, so not held to the memory budget. */
const BASELINE_KINDS = ['bare-consumer', 'mqt-consumer', 'floor-consumer', 'floor-relay', 'publisher'] as const;

/** Every service's peak RSS against the budget, beside the bare consumer's (a Node process with the AWS SDK); the baselines are not held to it. */
function memoryComparisons(services: ServiceRegistry): Comparison[] {
  const bare = services.peakRssMiB.get(roleName({ kind: 'bare-consumer' }));
  const baseline = bare === undefined ? { label: 'budget', value: MEMORY_LIMIT_MIB, unit: 'MiB' } : { label: 'bare sqs-consumer process', value: bare, unit: 'MiB' };
  const baselines = new Set(BASELINE_KINDS.map((kind) => roleName({ kind })));
  return [...services.peakRssMiB]
    .filter(([name]) => !baselines.has(name))
    .map(([name, peak]) => {
      const atReady = Math.round(services.readyPeakRssMiB.get(name) ?? 0);
      return compare('5. Memory', `peak RSS ${name}`, { label: `VmHWM; ${atReady} MiB once started`, value: peak, unit: 'MiB', details: { atReadyMiB: atReady } }, baseline, atMostAbsolute(MEMORY_LIMIT_MIB, 'MiB'));
    });
}

async function main(): Promise<void> {
  // The emulator uses node:sqlite, which warns that it is experimental; nothing else is silenced.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'ExperimentalWarning') console.warn(warning);
  });
  const options = parseOptions(process.argv);
  const startedAt = new Date();
  const estimates = expectedSeconds(options);
  const total = 15 + options.scenarios.reduce((sum, name) => sum + estimates[name], 0);
  const progress = new BenchProgress(total);
  progress.scenario('starting Postgres and the emulator', 15);
  progress.phase(0, options.durable ? 'durable: fsync on' : 'fsync off');
  const stack = await startBenchStack({ durable: options.durable, brokerLatencyMs: options.brokerLatencyMs, logLevel: options.logLevel, topologies: [ordersTopology, sinkTopology] });
  if (options.cpuProfileDir) mkdirSync(options.cpuProfileDir, { recursive: true });
  const services = new ServiceRegistry(stack, options);
  const cpu = new CpuMeter(stack.postgresDataDir, stack.emulatorPid, () => services.list());
  const ctx: BenchContext = { options, stack, services, cpu, progress, notes: [] };
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    progress.stop();
    console.error('\ninterrupted: stopping services, the emulator and Postgres');
    void services
      .stopAll()
      .finally(() => stack.stop())
      .finally(() => process.exit(130));
  });

  const comparisons: Comparison[] = [];
  let postgresVersion = 'unknown';
  let emulatorPeakMiB = 0;
  try {
    const db = await stack.connect();
    postgresVersion = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    await db.end();
    for (const [index, name] of options.scenarios.entries()) {
      const label = `${index + 1}/${options.scenarios.length} ${scenarioRunners[name].label}`;
      progress.scenario(label, estimates[name]);
      await waitForQuietMachine(ctx, label, options.quietWaitSeconds);
      comparisons.push(...(await scenarioRunners[name].run(ctx)));
    }
    for (const comparison of comparisons) {
      for (const figure of [comparison.measured, comparison.baseline]) {
        if (figure.cpu && figure.cpu.other > 0.2) ctx.notes.push(`${comparison.scenario} ${comparison.metric}, ${figure.label}: other processes used ${figure.cpu.other} cores meanwhile`);
      }
    }
    await services.stopAll();
    comparisons.push(...memoryComparisons(services));
    ctx.notes.push(...services.warnings);
  } finally {
    if (!interrupted) {
      progress.stop();
      await services.stopAll();
      emulatorPeakMiB = stack.emulatorMemory().peakRssMiB;
      await stack.stop();
    }
  }

  const benchPeakMiB = process.resourceUsage().maxRSS / 1024;
  const machine = { ...describeMachine(), postgres: postgresVersion };
  const finishedAt = new Date();
  const report = {
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    machine,
    options: { ...options, output: undefined },
    benchProcess: { note: 'the bench process runs the load generators', peakRssMiB: Math.round(benchPeakMiB) },
    emulatorProcess: { note: 'the SNS/SQS emulator, holding every message of the run', peakRssMiB: Math.round(emulatorPeakMiB) },
    results: comparisons,
    notes: ctx.notes,
  };
  mkdirSync(dirname(options.output), { recursive: true });
  writeFileSync(options.output, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(options.output.replace(/\.json$/, '') + '.md', `${formatMarkdown(comparisons)}\n\n${formatCpuMarkdown(comparisons)}\n`);

  console.log(
    `\n${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres} (${options.durable ? 'fsync on' : 'fsync off'})${options.brokerLatencyMs > 0 ? `, ${options.brokerLatencyMs} ms added to every SNS/SQS call` : ''}${options.quick ? ', quick run' : ''}; ${report.durationSeconds}s\n`,
  );
  console.log(formatTable(comparisons));
  console.log('\nCPU in cores while measuring (2 = both cores of this machine busy):');
  console.log(formatCpu(comparisons));
  const missed = comparisons.filter((comparison) => comparison.target && !comparison.target.pass).length;
  console.log(`\n${comparisons.filter((c) => c.target).length - missed} targets met, ${missed} missed. Peak RSS of the bench process (load generators) ${Math.round(benchPeakMiB)} MiB, of the emulator ${Math.round(emulatorPeakMiB)} MiB.`);
  for (const note of ctx.notes) console.log(`note: ${note}`);
  console.log(`results: ${options.output}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
