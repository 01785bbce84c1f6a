import type { ChaosReport } from './chaos-runner';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ') || 'none';

/** The run's figures and verdict, for a person. */
export function formatReport(report: ChaosReport): string {
  const services = Object.entries(report.services);
  const sum = (pick: (figures: ChaosReport['services'][string]) => number) => services.reduce((total, [, figures]) => total + pick(figures), 0);
  const lines = [
    `chaos run (seed ${report.seed}): ${report.passed ? 'PASSED' : 'FAILED'}`,
    '',
    `orders          ${report.orders.planned} drawn, ${report.orders.accepted} accepted, ${report.orders.gaveUp} given up (${report.orders.neverPlaced} never placed)`,
    `  ended         ${counts(report.orders.outcomes)}`,
    `  refunded      ${report.orders.refunded} (charged, then cancelled by their deadline)`,
    `  http          ${report.orders.retries} retried attempts, ${report.orders.replays} answered from the Idempotency-Key store`,
    `kills           ${sum((figures) => figures.kills)} SIGKILL (${services.map(([name, figures]) => `${name} ${figures.kills}`).join(', ')})`,
    `restarts        ${sum((figures) => figures.starts - 1)} service starts after the first, ${sum((figures) => figures.startupFailures)} gave up at start-up, ${sum((figures) => figures.crashes)} crashed`,
    `postgres        ${report.postgresRestarts.count} restart(s), ${seconds(report.postgresRestarts.downMs)} down`,
    `emulator        ${report.emulatorOutages.count} outage(s), ${seconds(report.emulatorOutages.downMs)} down`,
    `handler faults  ${report.faultWindows} window(s), ${report.messaging.injectedFailures} injected failure(s)`,
    `events          ${report.messaging.published} published, ${report.messaging.publishFailures} refused, ${report.messaging.handled} handled`,
    `duplicates      ${report.messaging.duplicatesSuppressed} suppressed by the inbox`,
    `retries         ${report.messaging.retries} (${counts(report.messaging.retriesByCode)})`,
    `dead letters    ${report.messaging.deadLettered} (${counts(report.messaging.deadLetteredByCode)}); ${report.poisonSent} poison message(s) sent on purpose, ${report.repeatedDeadLetters} dead-lettered twice`,
    `time            start ${seconds(report.timings.startMs)}, load ${seconds(report.timings.loadMs)}, recovery ${seconds(report.timings.recoverMs)}, settling ${seconds(report.timings.settleMs)}, total ${seconds(report.timings.totalMs)}`,
    '(messaging counters are lower bounds: a SIGKILL loses what its process counted after the last scrape)',
  ];
  if (report.violations.length > 0) lines.push('', 'violations:', ...report.violations.map((violation) => `  - ${violation}`));
  for (const crash of report.crashes) lines.push('', `${crash.service} crashed at ${crash.at}; its log ended with:`, crash.logTail);
  if (report.workDir) lines.push('', `scratch folder (logs, data): ${report.workDir}`);
  return lines.join('\n');
}
