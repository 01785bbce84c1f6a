import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CHAOS_SERVICE_ENV, DEFAULT_CHAOS_OPTIONS, runChaos, type ChaosReport } from '../../tools/chaos/chaos-runner';
import { formatReport } from '../../tools/chaos/report';

const root = join(__dirname, '../..');

/**
 * Compiles the services to dist/, as `npm run test:chaos` does: the run starts them as real
 * processes from there. Type errors are the type-check's to report; what matters here is the output.
 */
function build(): void {
  for (const [tool, args] of [
    ['tsc', ['-p', 'tsconfig.build.json']],
    ['tsc-alias', ['-p', 'tsconfig.build.json']],
  ] as const) {
    const result = spawnSync(join(root, 'node_modules/.bin', tool), args, { cwd: root, encoding: 'utf8' });
    if (result.error || (tool === 'tsc-alias' && result.status !== 0)) throw new Error(`${tool} failed: ${result.error?.message ?? result.stderr}`);
  }
}

/**
 * The short form of `npm run test:chaos`, for every `npm test`: half a minute of orders while
 * services are SIGKILLed, Postgres restarts, the emulator goes away for a few seconds, handlers
 * fail for a while and poison is sent; then every service's schema must show each order ended as
 * its input says, with each effect exactly once.
 */
beforeAll(build, 120_000);

describe('the shop under crashes, restarts and poison', () => {
  let report: ChaosReport;
  const log: string[] = [];

  beforeAll(async () => {
    report = await runChaos({
      ...DEFAULT_CHAOS_OPTIONS,
      durationMs: 30_000,
      ordersPerSecond: 4,
      killEveryMs: 3_500,
      restartDelayMs: 1_000,
      postgresRestartEveryMs: 12_000,
      emulatorOutageEveryMs: 17_000,
      emulatorOutageMs: 3_000,
      faultWindowEveryMs: 5_000,
      faultWindowMs: 1_500,
      poisonCount: 4,
      quiesceTimeoutMs: 90_000,
      serviceEnv: CHAOS_SERVICE_ENV,
      log: (line) => log.push(`${new Date().toISOString()} ${line}`),
    });
    console.log(formatReport(report));
  }, 240_000);

  it('loses nothing and does nothing twice', () => {
    if (!report.passed) throw new Error(`${formatReport(report)}\n\nrun log:\n${log.join('\n')}`);
  });

  it('really went through the faults it was asked for', () => {
    const kills = Object.values(report.services).reduce((sum, figures) => sum + figures.kills, 0);
    expect({
      ordersPlaced: report.orders.accepted > 50,
      kills: kills >= 4,
      // Outages take turns, so a slow machine may skip one; each kind must have happened.
      postgresRestarts: report.postgresRestarts.count >= 1,
      emulatorOutages: report.emulatorOutages.count >= 1,
      poisonSent: report.poisonSent,
      everyKindOfEnd: Object.keys(report.orders.outcomes).sort(),
    }).toEqual({
      ordersPlaced: true,
      kills: true,
      postgresRestarts: true,
      emulatorOutages: true,
      poisonSent: 4,
      everyKindOfEnd: ['CANCELLED OUT_OF_STOCK', 'CANCELLED PAYMENT_DECLINED', 'SHIPPED'],
    });
  });
});

/**
 * `npm run test:chaos -- --payment-timeout 6 --payment-delay 9`, short: orders have six seconds
 * to be paid, and payments takes up to nine to record a third of the provider's answers, so charges
 * keep arriving after their order's deadline while services are killed. Every such order must
 * end cancelled, unshipped and uninvoiced, its stock back, its charge refunded exactly once.
 */
describe('the shop when payments come after the deadline', () => {
  let report: ChaosReport;
  const log: string[] = [];

  beforeAll(async () => {
    report = await runChaos({
      ...DEFAULT_CHAOS_OPTIONS,
      durationMs: 20_000,
      ordersPerSecond: 4,
      killEveryMs: 6_000,
      restartDelayMs: 1_000,
      postgresRestartEveryMs: 0,
      emulatorOutageEveryMs: 0,
      faultWindowEveryMs: 6_000,
      faultWindowMs: 1_500,
      poisonCount: 0,
      paymentTimeoutSeconds: 6,
      paymentDelayMs: 9_000,
      quiesceTimeoutMs: 90_000,
      serviceEnv: CHAOS_SERVICE_ENV,
      log: (line) => log.push(`${new Date().toISOString()} ${line}`),
    });
    console.log(formatReport(report));
  }, 240_000);

  it('refunds every late charge once, and ships and invoices no cancelled order', () => {
    if (!report.passed) throw new Error(`${formatReport(report)}\n\nrun log:\n${log.join('\n')}`);
  });

  // How many orders still ship depends on the machine's load; the run above shows shipping under faults.
  it('really raced payments against the deadline', () => {
    expect({ timedOut: (report.orders.outcomes['CANCELLED PAYMENT_TIMEOUT'] ?? 0) > 0, refunded: report.orders.refunded > 0 }).toEqual({ timedOut: true, refunded: true });
  });
});
