import { freePort } from '@app/messaging/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchStack } from './infrastructure/bench-stack';
import type { CpuMeter } from './infrastructure/cpu-meter';
import { ServiceChild } from './infrastructure/service-child';
import type { BenchProgress } from './report/progress';
import type { PlaceOrderVariant } from './services/orders-variants';

export interface BenchOptions {
  quick: boolean;
  /** Outbox rows per relay run. */
  events: number;
  /** Rows of the burst on a never-analysed outbox. */
  burst: number;
  /** Transactions per outbox-write run. */
  writes: number;
  /** Timers pending (due in the future) in the outbox during the timers scenario. */
  pendingTimers: number;
  /** Timers falling due per second in the lateness run, and for how long. */
  timerRate: number;
  timerSeconds: number;
  /** Messages per consumer run. */
  messages: number;
  /** Already-published rows in the outbox for the "large table" relay run. */
  publishedRows: number;
  /** Repetitions of each throughput run; the fastest is reported. */
  repeats: number;
  /** Arrivals per second of the latency scenario. */
  rate: number;
  latencySeconds: number;
  httpSeconds: number;
  connections: number;
  durable: boolean;
  /** Milliseconds added to each SNS/SQS call of the services, to model AWS's network distance. */
  brokerLatencyMs: number;
  logLevel: string;
  scenarios: ScenarioName[];
  output: string;
  /** Adds the runs that explain the misses (consumer with one transaction per receive, HTTP with the relay paused). */
  diagnose: boolean;
  /** NODE_OPTIONS for every service process (to try --max-old-space-size, say). */
  serviceNodeOptions?: string;
  /** How long a scenario may wait for other processes on the machine to go quiet. */
  quietWaitSeconds: number;
  /** Folder for a V8 CPU profile of every service process, or none. */
  cpuProfileDir?: string;
}

export const SCENARIOS = ['relay', 'writes', 'timers', 'consumer', 'latency', 'http'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export type ServiceRole = { kind: 'orders'; variant: PlaceOrderVariant } | { kind: 'sink' } | { kind: 'bare-consumer' } | { kind: 'mqt-consumer' } | { kind: 'floor-consumer' } | { kind: 'floor-relay' } | { kind: 'publisher' };

export function roleName(role: ServiceRole): string {
  switch (role.kind) {
    case 'orders':
      return { outbox: 'orders (outbox)', direct: 'orders (direct publish)', none: 'orders (no event)' }[role.variant];
    case 'sink':
      return 'bench-sink (consumer)';
    case 'bare-consumer':
      return 'bare sqs-consumer';
    case 'mqt-consumer':
      return 'message-queue-toolkit consumer';
    case 'floor-consumer':
      return 'floor consumer (raw pg)';
    case 'floor-relay':
      return 'floor relay (raw pg)';
    case 'publisher':
      return 'direct PublishBatch publisher';
  }
}

/** The compiled script each kind of service runs, relative to tools/bench. */
const SCRIPTS: Record<ServiceRole['kind'], string> = {
  orders: 'services/service-main.js',
  sink: 'services/service-main.js',
  'bare-consumer': 'services/bare-consumer-main.js',
  'mqt-consumer': 'services/mqt-consumer-main.js',
  'floor-consumer': 'services/floor-consumer-main.js',
  'floor-relay': 'services/floor-relay-main.js',
  publisher: 'services/publisher-main.js',
};

/**
 * Starts and stops the services under test, each a child process, and keeps the peak resident
 * memory each kind of service reached over the whole run.
 */
export class ServiceRegistry {
  readonly peakRssMiB = new Map<string, number>();
  /** The peak each kind had reached when it reported ready, before any load: what start-up alone costs. */
  readonly readyPeakRssMiB = new Map<string, number>();
  /** What the services logged at warn level or above: a figure measured while a relay backed off is no figure. */
  readonly warnings: string[] = [];
  private readonly running = new Set<{ child: ServiceChild; name: string }>();

  constructor(
    private readonly stack: BenchStack,
    private readonly options: Pick<BenchOptions, 'cpuProfileDir' | 'serviceNodeOptions'>,
  ) {}

  async start(role: ServiceRole, env: NodeJS.ProcessEnv = {}): Promise<ServiceChild> {
    const name = roleName(role);
    const script = SCRIPTS[role.kind];
    const roleEnv = role.kind === 'orders' ? { BENCH_SERVICE: 'orders', BENCH_PLACE_ORDER: role.variant } : { BENCH_SERVICE: role.kind };
    const { cpuProfileDir, serviceNodeOptions } = this.options;
    const nodeOptions = [serviceNodeOptions, cpuProfileDir && `--cpu-prof --cpu-prof-dir=${join(cpuProfileDir, name.replace(/[^a-z0-9-]+/gi, '-'))}`].filter(Boolean).join(' ');
    const child = await ServiceChild.start(name, script, { ...this.stack.env, PORT: String(await freePort()), ...roleEnv, NODE_OPTIONS: nodeOptions, ...env }, this.stack.workDir);
    this.running.add({ child, name });
    this.readyPeakRssMiB.set(name, Math.max(this.readyPeakRssMiB.get(name) ?? 0, child.memory().peakRssMiB));
    return child;
  }

  async stop(child: ServiceChild): Promise<void> {
    const memory = await child.stop();
    this.peakRssMiB.set(child.name, Math.max(this.peakRssMiB.get(child.name) ?? 0, memory.peakRssMiB));
    for (const entry of this.running) if (entry.child === child) this.running.delete(entry);
    const warnings = warningsIn(child.logFile);
    if (warnings.count > 0) this.warnings.push(`${child.name} logged ${warnings.count} warning(s) or error(s), the first: ${warnings.first}`);
  }

  /** The service processes running now. */
  list(): { name: string; pid: number }[] {
    return [...this.running].map(({ child, name }) => ({ name, pid: child.pid }));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map(({ child }) => this.stop(child)));
  }
}

export interface BenchContext {
  options: BenchOptions;
  stack: BenchStack;
  services: ServiceRegistry;
  cpu: CpuMeter;
  progress: BenchProgress;
  /** Observations worth printing with the results (a run that could not be measured cleanly). */
  notes: string[];
}

/** Lines of a service's (pino, JSON) log at warn level or above: how many, and the first one's message. */
function warningsIn(logFile: string): { count: number; first?: string } {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return { count: 0 };
  }
  const warnings = text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      } catch {
        return {};
      }
    })
    .filter((entry) => (entry.level ?? 0) >= 40);
  const first = warnings[0];
  return { count: warnings.length, first: first && `${first.msg ?? ''}${first.err?.message ? `: ${first.err.message}` : ''}`.slice(0, 300) };
}
