import { perMessageMs, type CpuUsage } from '../infrastructure/cpu-meter';
import { round } from './statistics';

export interface Figure {
  /** What was measured: "outbox relay", "direct PublishBatch". */
  label: string;
  value: number;
  unit: string;
  /** Every repetition, when the figure is the best of several. */
  samples?: number[];
  /** Where the CPU went while this figure was measured. */
  cpu?: CpuUsage;
  /** Other observations made during the same measurement. */
  details?: Record<string, number>;
}

export interface Target {
  /** The target in words: "≥ 0.9× baseline". */
  text: string;
  pass: boolean;
}

/** One row of the report: a figure, the baseline measured beside it in the same run, and their ratio. */
export interface Comparison {
  scenario: string;
  metric: string;
  measured: Figure;
  baseline: Figure;
  /** measured / baseline. */
  ratio: number;
  target?: Target;
}

export function compare(scenario: string, metric: string, measured: Figure, baseline: Figure, target?: (measured: number, baseline: number, ratio: number) => Target): Comparison {
  const ratio = measured.value / baseline.value;
  return { scenario, metric, measured, baseline, ratio, target: target?.(measured.value, baseline.value, ratio) };
}

/** "measured ≥ k × baseline" (throughputs). */
export const atLeast = (factor: number) => (_measured: number, _baseline: number, ratio: number): Target => ({ text: `≥ ${factor}×`, pass: ratio >= factor });

/** "measured ≤ k × baseline" (latencies). */
export const atMost = (factor: number) => (_measured: number, _baseline: number, ratio: number): Target => ({ text: `≤ ${factor}×`, pass: ratio <= factor });

/** "measured ≤ baseline + d" (latencies, in the baseline's unit). */
export const withinPlus = (delta: number, unit: string) => (measured: number, baseline: number): Target => ({ text: `≤ +${delta} ${unit}`, pass: measured - baseline <= delta });

/** "measured ≤ limit", whatever the baseline (memory). */
export const atMostAbsolute = (limit: number, unit: string) => (measured: number): Target => ({ text: `≤ ${limit} ${unit}`, pass: measured <= limit });

function formatFigure(figure: Figure): string {
  const digits = Math.abs(figure.value) >= 100 ? 0 : 1;
  return `${round(figure.value, digits).toLocaleString('en-US')} ${figure.unit}`;
}

/**
 * Milliseconds of CPU per message, beside a figure: the service process(es) under test together,
 * Postgres, the emulator. "—" where the figure moved no messages (memory).
 */
export function formatCpuPerMessage(figure: Figure): string {
  const perMessage = figure.cpu && perMessageMs(figure.cpu);
  if (!perMessage) return '—';
  const services = Object.values(perMessage.services).reduce((sum, ms) => sum + ms, 0);
  return `svc ${services.toFixed(3)} · pg ${perMessage.postgres.toFixed(3)} · sqs ${perMessage.emulator.toFixed(3)}`;
}

/** The results as a plain-text table: one line per comparison. */
export function formatTable(comparisons: readonly Comparison[]): string {
  const header = ['Scenario', 'Metric', 'Measured', 'CPU ms/msg', 'Baseline', 'CPU ms/msg', 'Ratio', 'Target', 'Result'];
  const rows = comparisons.map((c) => [
    c.scenario,
    c.metric,
    `${formatFigure(c.measured)} (${c.measured.label})`,
    formatCpuPerMessage(c.measured),
    `${formatFigure(c.baseline)} (${c.baseline.label})`,
    formatCpuPerMessage(c.baseline),
    `${round(c.ratio, 2).toFixed(2)}×`,
    c.target?.text ?? '—',
    c.target ? (c.target.pass ? 'pass' : 'MISS') : 'info',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table in Markdown, for docs/benchmarks.md. */
export function formatMarkdown(comparisons: readonly Comparison[]): string {
  const rows = comparisons.map(
    (c) =>
      `| ${c.scenario} | ${c.metric} | ${formatFigure(c.measured)} (${c.measured.label}) | ${formatCpuPerMessage(c.measured)} | ${formatFigure(c.baseline)} (${c.baseline.label}) | ${formatCpuPerMessage(c.baseline)} | ${round(c.ratio, 2).toFixed(2)}× | ${c.target?.text ?? '—'} | ${c.target ? (c.target.pass ? 'pass' : '**miss**') : 'info'} |`,
  );
  return [
    '| Scenario | Metric | Measured | CPU ms/msg | Baseline | CPU ms/msg | Ratio | Target | Result |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** Where the cores went while each figure was measured, one line per figure. */
export function formatCpu(comparisons: readonly Comparison[]): string {
  const lines: string[] = [];
  for (const { comparison, figure, cpu, perMessage } of figuresWithCpu(comparisons)) {
    const part = (name: string, cores: number, ms?: number) => `${name} ${cores.toFixed(2)}${ms === undefined ? '' : ` (${ms.toFixed(3)} ms/msg)`}`;
    const parts = [
      ...Object.entries(cpu.services).map(([name, cores]) => part(name, cores, perMessage?.services[name])),
      part('postgres', cpu.postgres, perMessage?.postgres),
      part('emulator', cpu.emulator, perMessage?.emulator),
      part('bench', cpu.bench, perMessage?.bench),
      `irq ${cpu.kernel.toFixed(2)}`,
      `other ${cpu.other.toFixed(2)}`,
    ];
    lines.push(`${`${comparison.scenario}, ${figure.label}:`.padEnd(52)} ${parts.join(', ')}`);
  }
  return lines.join('\n');
}

/**
 * Where the CPU went while each figure was measured, in Markdown: per process, cores and
 * milliseconds of CPU per message.
 */
export function formatCpuMarkdown(comparisons: readonly Comparison[]): string {
  const rows: string[] = [];
  for (const { comparison, figure, cpu, perMessage } of figuresWithCpu(comparisons)) {
    const cell = (cores: number, ms?: number) => `${cores.toFixed(2)}${ms === undefined ? '' : ` · ${ms.toFixed(3)}`}`;
    const services = Object.entries(cpu.services)
      .map(([name, cores]) => `${name} ${cell(cores, perMessage?.services[name])}`)
      .join('; ');
    rows.push(
      `| ${comparison.scenario}, ${figure.label} | ${services || '—'} | ${cell(cpu.postgres, perMessage?.postgres)} | ${cell(cpu.emulator, perMessage?.emulator)} | ${cell(cpu.bench, perMessage?.bench)} | ${cpu.other.toFixed(2)} |`,
    );
  }
  return [
    '| Figure | service(s): cores · ms/msg | Postgres | emulator | bench (load) | other processes |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** Each distinct figure (scenario and label) that has CPU readings, once, with its cost per message. */
function* figuresWithCpu(comparisons: readonly Comparison[]) {
  const seen = new Set<string>();
  for (const comparison of comparisons) {
    for (const figure of [comparison.measured, comparison.baseline]) {
      const key = `${comparison.scenario}/${figure.label}`;
      if (!figure.cpu || seen.has(key)) continue;
      seen.add(key);
      yield { comparison, figure, cpu: figure.cpu, perMessage: perMessageMs(figure.cpu) };
    }
  }
}
