import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  ms: number;
  /** Share of the busy time (everything but idle), in percent. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  /** Self time by where the code lives: a package, a folder of the project, Node's internals, GC. */
  byArea: ProfileShare[];
  /** Self time by function. */
  byFunction: ProfileShare[];
  /** Time inside each of the given functions, callees included (a function on the stack twice counts once). */
  inclusive: ProfileShare[];
}

const root = resolve(__dirname, '../../..');

/** Where a frame's code lives: "pg", "@aws-sdk/client-sns", "libs/messaging/src/consumer", "node:internal", "(garbage collector)". */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packaged) return packaged[1].startsWith('@smithy') || packaged[1].startsWith('@aws-sdk') ? `aws sdk (${packaged[1]})` : packaged[1];
  if (url.startsWith('node:')) return 'node internals';
  // The compiled project runs from dist/: name its files as the sources are laid out.
  const file = url.replace(/^file:\/\//, '');
  const path = file.includes('/dist/') ? file.slice(file.lastIndexOf('/dist/') + 6) : relative(root, file);
  const parts = path.split('/');
  // libs/messaging/src/consumer/x.js → libs/messaging/src/consumer
  return parts.slice(0, parts[0] === 'libs' ? 4 : 3).join('/');
}

/** Self and inclusive time of a profile, by area and by function. */
export function summarise(profile: CpuProfile, inclusiveOf: readonly string[] = []): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000));
  const area = new Map<string, number>();
  const fn = new Map<string, number>();
  const inclusive = new Map<string, number>(inclusiveOf.map((name) => [name, 0]));
  let idleMs = 0;
  let busyMs = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = (byId.get(id) as CpuProfile['nodes'][number]).callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const where = areaOf(url, functionName);
    area.set(where, (area.get(where) ?? 0) + ms);
    const key = `${functionName || '(anonymous)'} ${url ? `${where}:${lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + ms);
    if (inclusiveOf.length > 0) {
      const onStack = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) onStack.add((byId.get(at) as CpuProfile['nodes'][number]).callFrame.functionName);
      for (const name of inclusiveOf) if (onStack.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  }
  const shares = (map: Map<string, number>, limit: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: Math.round((ms / busyMs) * 1000) / 10 }));
  return { busyMs: Math.round(busyMs), idleMs: Math.round(idleMs), byArea: shares(area, 20), byFunction: shares(fn, 25), inclusive: shares(inclusive, inclusiveOf.length) };
}

/** `node dist/tools/bench/report/profile-summary.js <file.cpuprofile> [function names for inclusive time…]` */
function main(): void {
  const [file, ...inclusiveOf] = process.argv.slice(2);
  if (!file) {
    console.error('usage: profile-summary <file.cpuprofile> [function names whose inclusive time to show]');
    process.exit(2);
  }
  const summary = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, inclusiveOf);
  const table = (title: string, rows: ProfileShare[]) =>
    [`${title}:`, ...rows.map((row) => `  ${row.percent.toFixed(1).padStart(5)} %  ${String(row.ms).padStart(6)} ms  ${row.name}`)].join('\n');
  console.log(`busy ${summary.busyMs} ms, idle ${summary.idleMs} ms`);
  console.log(table('self time by area', summary.byArea));
  console.log(table('self time by function', summary.byFunction));
  if (inclusiveOf.length > 0) console.log(table('inclusive time', summary.inclusive));
}

if (require.main === module) main();
