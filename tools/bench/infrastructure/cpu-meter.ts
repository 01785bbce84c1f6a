import { readdirSync, readFileSync } from 'node:fs';
import { monotonicMs } from './ipc-protocol';

const TICKS_PER_SECOND = 100;

/** CPU use over a window, in cores (1 = one core busy for the whole window). */
export interface CpuUsage {
  wallSeconds: number;
  /** Each service process by name (several processes of one kind are summed). */
  services: Record<string, number>;
  /** Every process of the bench's PostgreSQL cluster, the exited backends included. */
  postgres: number;
  /** The SNS/SQS emulator's process. */
  emulator: number;
  /** The bench process: the load generators and the bookkeeping of the run. */
  bench: number;
  /** Interrupt and softirq time: on loopback, most of the TCP work of every HTTP and Postgres call. */
  kernel: number;
  /** Whatever else ran on the machine meanwhile; more than a few hundredths means a disturbed run. */
  other: number;
  /** Messages (events, requests, timers) the window moved, when the figure counts any. */
  messages?: number;
}

/** Milliseconds of CPU each process spent per message moved. */
export interface CpuPerMessage {
  services: Record<string, number>;
  postgres: number;
  emulator: number;
  bench: number;
}

/** CPU time per message of each process over a window, or undefined when the window moved none. */
export function perMessageMs(usage: CpuUsage): CpuPerMessage | undefined {
  if (!usage.messages) return undefined;
  const ms = (cores: number) => Math.round(((cores * usage.wallSeconds * 1000) / (usage.messages as number)) * 1000) / 1000;
  return {
    services: Object.fromEntries(Object.entries(usage.services).map(([name, cores]) => [name, ms(cores)])),
    postgres: ms(usage.postgres),
    emulator: ms(usage.emulator),
    bench: ms(usage.bench),
  };
}

interface Snapshot {
  at: number;
  services: Map<number, { name: string; seconds: number }>;
  postgres: number;
  emulator: number;
  bench: number;
  machineProcesses: number;
  machineInterrupts: number;
}

/**
 * Reads CPU time from /proc for the parts of a run (Linux only; elsewhere every figure is 0), so a
 * result can say where the machine's two cores went: a service, Postgres, the emulator.
 */
export class CpuMeter {
  constructor(
    private readonly postgresDataDir: string,
    private readonly emulatorPid: number,
    private readonly services: () => { name: string; pid: number }[],
  ) {}

  snapshot(): Snapshot {
    const services = new Map(this.services().map(({ name, pid }) => [pid, { name, seconds: processSeconds(pid) }]));
    const usage = process.cpuUsage();
    const machine = machineSeconds();
    return {
      at: monotonicMs(),
      services,
      postgres: this.postgresSeconds(),
      emulator: processSeconds(this.emulatorPid),
      bench: (usage.user + usage.system) / 1e6,
      machineProcesses: machine.processes,
      machineInterrupts: machine.interrupts,
    };
  }

  /** CPU used since `start`; with `messages`, what the window moved, so it can be put per message. */
  since(start: Snapshot, messages?: number): CpuUsage {
    const end = this.snapshot();
    const wall = (end.at - start.at) / 1000;
    const services: Record<string, number> = {};
    let servicesTotal = 0;
    for (const [pid, { name, seconds }] of end.services) {
      const used = seconds - (start.services.get(pid)?.seconds ?? seconds);
      services[name] = round((services[name] ?? 0) + used / wall);
      servicesTotal += used;
    }
    const postgres = end.postgres - start.postgres;
    const emulator = end.emulator - start.emulator;
    const bench = end.bench - start.bench;
    const other = end.machineProcesses - start.machineProcesses - servicesTotal - postgres - emulator - bench;
    const kernel = end.machineInterrupts - start.machineInterrupts;
    return {
      wallSeconds: round(wall),
      services,
      postgres: round(postgres / wall),
      emulator: round(emulator / wall),
      bench: round(bench / wall),
      kernel: round(kernel / wall),
      other: round(Math.max(0, other) / wall),
      ...(messages !== undefined ? { messages } : {}),
    };
  }

  private postmaster?: number;

  private postgresSeconds(): number {
    let total = 0;
    const pids = listPids();
    if (this.postmaster === undefined || !pids.includes(this.postmaster)) {
      this.postmaster = pids.find((pid) => readOr(`/proc/${pid}/cmdline`).split('\0').includes(this.postgresDataDir));
    }
    const postmaster = this.postmaster;
    if (postmaster === undefined) return 0;
    for (const pid of pids) {
      const stat = statFields(pid);
      if (!stat) continue;
      if (pid === postmaster) total += (stat.utime + stat.stime + stat.cutime + stat.cstime) / TICKS_PER_SECOND;
      else if (stat.ppid === postmaster) total += (stat.utime + stat.stime) / TICKS_PER_SECOND;
    }
    return total;
  }
}

function processSeconds(pid: number): number {
  const stat = statFields(pid);
  return stat ? (stat.utime + stat.stime) / TICKS_PER_SECOND : 0;
}

function statFields(pid: number): { ppid: number; utime: number; stime: number; cutime: number; cstime: number } | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields.length < 15) return undefined;
  return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]), cutime: Number(fields[13]), cstime: Number(fields[14]) };
}

/** Time all processes ran (user, nice, system) and time spent in interrupts, machine-wide. */
function machineSeconds(): { processes: number; interrupts: number } {
  const cpu = readOr('/proc/stat').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  if (cpu.length < 5) return { processes: 0, interrupts: 0 };
  const [user, nice, system, , , irq = 0, softirq = 0] = cpu;
  return { processes: (user + nice + system) / TICKS_PER_SECOND, interrupts: (irq + softirq) / TICKS_PER_SECOND };
}

function listPids(): number[] {
  try {
    return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number);
  } catch {
    return [];
  }
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Several windows as one: each figure weighted by its window's length. */
export function mergeUsage(usages: readonly CpuUsage[]): CpuUsage | undefined {
  if (usages.length === 0) return undefined;
  const wall = usages.reduce((sum, usage) => sum + usage.wallSeconds, 0);
  const weighted = (pick: (usage: CpuUsage) => number) => round(usages.reduce((sum, usage) => sum + pick(usage) * usage.wallSeconds, 0) / wall);
  const names = new Set(usages.flatMap((usage) => Object.keys(usage.services)));
  return {
    wallSeconds: round(wall),
    services: Object.fromEntries([...names].map((name) => [name, weighted((usage) => usage.services[name] ?? 0)])),
    postgres: weighted((usage) => usage.postgres),
    emulator: weighted((usage) => usage.emulator),
    bench: weighted((usage) => usage.bench),
    kernel: weighted((usage) => usage.kernel),
    other: weighted((usage) => usage.other),
    ...(usages.every((usage) => usage.messages !== undefined) ? { messages: usages.reduce((sum, usage) => sum + (usage.messages as number), 0) } : {}),
  };
}
