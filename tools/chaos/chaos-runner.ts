import { createSqsClient, loadConfig, messagingEnvSchema, TopologyNames } from '@app/messaging';
import { freePort, waitFor } from '@app/messaging/testing';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { provision } from '../provision/provision';
import { services } from '../services';
import { FAULT_TARGETS, INJECTED_FAILURE_CODE, installHandlerFaults, installPaymentDelay, openFaultWindow, removeHandlerFaults } from './handler-faults';
import { Infrastructure } from './infrastructure';
import { checkInvariants, type InvariantReport } from './invariants';
import { MetricsLedger, parseCounters } from './metrics-ledger';
import { chaosCatalogue, OrderPlanner } from './order-plan';
import { OrderStream, type OrderStreamFigures } from './order-stream';
import { poison, POISON_CODES, type Poison } from './poison';
import { stillMoving, waitForQuiescence } from './quiescence';
import { Random } from './random';
import { SupervisedService, type ServiceFigures } from './service-supervisor';
import { readSnapshot, type QueueNames } from './snapshot';

export interface ChaosOptions {
  /** How long orders flow and faults are injected. */
  durationMs: number;
  ordersPerSecond: number;
  maxOrdersInFlight: number;
  /** A random service is SIGKILLed this often (0: never), and restarted within `restartDelayMs`. */
  killEveryMs: number;
  restartDelayMs: number;
  /** Postgres is stopped cleanly and started again on the same data and port this often (0: never)... */
  postgresRestartEveryMs: number;
  /** ...after staying down this long (0: started again at once). */
  postgresOutageMs: number;
  /** The emulator is stopped for `emulatorOutageMs` this often (0: never). */
  emulatorOutageEveryMs: number;
  emulatorOutageMs: number;
  /** Inserts into a handler's table fail for `faultWindowMs` this often (0: never). */
  faultWindowEveryMs: number;
  faultWindowMs: number;
  /**
   * Orders not paid this many seconds after they were placed are cancelled (0: the service default
   * of 15 minutes): orders delayed by the faults then race their deadline, and may also end
   * CANCELLED PAYMENT_TIMEOUT, which must leave no invoice or shipment behind, and any charge
   * that completed all the same refunded exactly once.
   */
  paymentTimeoutSeconds: number;
  /** Up to this long, payments takes to record some of the provider's answers (0: no delay): late payments. */
  paymentDelayMs: number;
  /** Messages sent on purpose that can never be handled, spread over the run. */
  poisonCount: number;
  seed: number;
  quiesceTimeoutMs: number;
  /** Settings of every service on top of the run's own (retry budget, timeouts...). */
  serviceEnv: NodeJS.ProcessEnv;
  /** Keep the scratch folder (database, emulator data, service logs) even when the run passed. */
  keepWorkDir: boolean;
  log: (line: string) => void;
}

/** The settings a chaos run gives every service, chosen so a run settles in seconds rather than minutes. */
export const CHAOS_SERVICE_ENV: NodeJS.ProcessEnv = {
  LOG_LEVEL: 'info',
  DB_POOL_SIZE: '5',
  OUTBOX_POLL_MS: '1000',
  CONSUMER_WAIT_SECONDS: '2',
  // A killed consumer's messages come back after this; the heartbeat keeps live handlers' hidden.
  VISIBILITY_TIMEOUT_SECONDS: '6',
  SHUTDOWN_DRAIN_MS: '5000',
  RETRY_MAX_SECONDS: '8',
  PAYMENT_DECLINE_ABOVE: '100000',
};

export const DEFAULT_CHAOS_OPTIONS: Omit<ChaosOptions, 'log'> = {
  durationMs: 120_000,
  ordersPerSecond: 5,
  maxOrdersInFlight: 16,
  killEveryMs: 4_000,
  restartDelayMs: 1_500,
  postgresRestartEveryMs: 30_000,
  postgresOutageMs: 0,
  emulatorOutageEveryMs: 45_000,
  emulatorOutageMs: 5_000,
  faultWindowEveryMs: 9_000,
  faultWindowMs: 1_500,
  paymentTimeoutSeconds: 0,
  paymentDelayMs: 0,
  poisonCount: 8,
  seed: Date.now() % 1_000_000,
  quiesceTimeoutMs: 180_000,
  serviceEnv: CHAOS_SERVICE_ENV,
  keepWorkDir: false,
};

export interface ChaosReport {
  seed: number;
  passed: boolean;
  settled: boolean;
  stillMoving: string[];
  violations: string[];
  orders: OrderStreamFigures & Pick<InvariantReport, 'outcomes' | 'neverPlaced' | 'refunded'>;
  services: Record<string, Omit<ServiceFigures, 'crashes'> & { crashes: number }>;
  crashes: { service: string; at: string; code: number | null; signal: string | null; logTail: string }[];
  postgresRestarts: { count: number; downMs: number };
  emulatorOutages: { count: number; downMs: number };
  faultWindows: number;
  poisonSent: number;
  /** Poison found more than once in a DLQ: dead-lettering is at least once. */
  repeatedDeadLetters: number;
  messaging: {
    published: number;
    publishFailures: number;
    handled: number;
    duplicatesSuppressed: number;
    retries: number;
    retriesByCode: Record<string, number>;
    injectedFailures: number;
    deadLettered: number;
    deadLetteredByCode: Record<string, number>;
  };
  timings: { startMs: number; loadMs: number; recoverMs: number; settleMs: number; totalMs: number };
  workDir?: string;
}

/** The repository root, from this file in `tools/chaos` or compiled in `dist/tools/chaos`. */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/**
 * The whole shop on its own embedded stack, every service a real process from the compiled
 * `dist/`, under a steady stream of orders while services are SIGKILLed and restarted, Postgres
 * is restarted, the emulator goes away and comes back, handlers fail for a while and poison is
 * sent. Then it waits for the shop to settle and checks, schema by schema, that nothing was lost
 * or done twice.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = options.log;
  const root = repositoryRoot();
  const dist = join(root, 'dist');
  const hostScript = join(dist, 'tools/chaos/service-host.js');
  for (const file of [hostScript, join(dist, 'tools/local-stack/postgres-process.js'), ...services.map((service) => join(root, service.main))]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const workDir = mkdtempSync(join(tmpdir(), 'shop-chaos-'));
  // As root, Postgres runs as an unprivileged user, who must be able to reach its data folder in here.
  chmodSync(workDir, 0o755);
  const random = new Random(options.seed);
  const infrastructure = new Infrastructure({ scripts: join(dist, 'tools/local-stack'), workDir }, await freePort(), await freePort());
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PGHOST: '127.0.0.1',
    PGPORT: String(infrastructure.pgPort),
    PGUSER: 'postgres',
    PGPASSWORD: 'postgres',
    PGDATABASE: 'shop',
    AWS_ENDPOINT_URL: infrastructure.emulatorEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'chaos',
    AWS_SECRET_ACCESS_KEY: 'chaos',
    TOPOLOGY_PREFIX: 'chaos',
    ...options.serviceEnv,
    ...(options.paymentTimeoutSeconds > 0 ? { ORDER_PAYMENT_TIMEOUT_SECONDS: String(options.paymentTimeoutSeconds) } : {}),
  };
  const config = loadConfig(messagingEnvSchema, env);
  const names = new TopologyNames(config.topologyPrefix);
  const queues: QueueNames[] = services.map((service) => ({ service: service.name, queue: names.queue(service.topology), deadLetterQueue: names.deadLetterQueue(service.topology) }));
  const ledger = new MetricsLedger();
  const connect = async () => {
    const client = new Client({ host: '127.0.0.1', port: infrastructure.pgPort, user: 'postgres', password: 'postgres', database: 'shop', application_name: 'chaos' });
    // A connection ended by a Postgres restart reports here instead of crashing the run.
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const withDb = async <T>(work: (db: Client) => Promise<T>): Promise<T> => {
    const db = await connect();
    try {
      return await work(db);
    } finally {
      await db.end().catch(() => undefined);
    }
  };

  const supervised: SupervisedService[] = [];
  // The fault schedule's timers and the metrics scraper; cleared however the run ends.
  const timers: NodeJS.Timeout[] = [];
  const restartTimers = new Set<NodeJS.Timeout>();
  let scraper: NodeJS.Timeout | undefined;
  let stream: OrderStream | undefined;
  let sqs: SQSClient | undefined;
  let passed = false;
  try {
    log(`seed ${options.seed}; scratch folder ${workDir}`);
    await infrastructure.startPostgres();
    await infrastructure.startEmulator();
    await provision(config);
    sqs = createSqsClient(config.aws);
    for (const service of services) {
      const spec = { name: service.name, main: join(root, service.main), port: await freePort() };
      supervised.push(new SupervisedService(spec, env, hostScript, workDir, (exited) => ledger.bank(exited.spec.name)));
    }
    supervised.forEach((service) => service.start());
    await allLive(supervised, 120_000);
    log(`six services up in ${Math.round((Date.now() - started) / 1000)} s`);

    const byName = (name: string) => supervised.find((service) => service.spec.name === name) as SupervisedService;
    const catalogue = chaosCatalogue();
    for (const [sku, units] of Object.entries(catalogue.initialStock)) {
      // The empty SKU is never stocked: inventory knows nothing of it, which is out of stock too.
      if (units === 0) continue;
      const response = await fetch(`${byName('inventory').baseUrl}/stock/${sku}/adjustments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ delta: units, reason: 'chaos run stock' }),
      });
      if (!response.ok) throw new Error(`Could not stock ${sku}: HTTP ${response.status}`);
    }
    if (options.faultWindowEveryMs > 0) await withDb(installHandlerFaults);
    if (options.paymentDelayMs > 0) await withDb((db) => installPaymentDelay(db, options.paymentDelayMs));

    const scrape = async (service: SupervisedService) => {
      const incarnation = service.incarnation;
      try {
        const response = await fetch(`${service.baseUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
        const text = await response.text();
        // A reading that arrives after its process has gone must not count for the next one.
        if (!response.ok || service.incarnation !== incarnation || !service.running) return;
        ledger.record(service.spec.name, parseCounters(text));
        service.markUp();
      } catch {
        // Down or restarting: the last reading stands.
      }
    };
    scraper = setInterval(() => supervised.forEach((service) => void scrape(service)), 1000);

    stream = new OrderStream(() => byName('orders').baseUrl, new OrderPlanner(random, catalogue, Number(env.PAYMENT_DECLINE_ABOVE ?? 100_000)), {
      ordersPerSecond: options.ordersPerSecond,
      maxInFlight: options.maxOrdersInFlight,
      giveUpAfterMs: 90_000,
      requestTimeoutMs: 10_000,
    });

    // The fault schedule. Infrastructure faults take turns (one outage at a time); kills go on throughout.
    const every = (ms: number, action: () => Promise<void>) => {
      if (ms > 0) timers.push(setInterval(() => void action().catch((error: unknown) => log(`fault failed: ${(error as Error).message}`)), ms));
    };
    let infrastructureFault: Promise<void> = Promise.resolve();
    let infrastructureBusy = false;
    const postgresRestarts = { count: 0, downMs: 0 };
    const emulatorOutages = { count: 0, downMs: 0 };
    let faultWindows = 0;
    const poisons: Poison[] = [];
    const takeTurn = (fault: () => Promise<void>) => async () => {
      if (infrastructureBusy) return;
      infrastructureBusy = true;
      infrastructureFault = fault().finally(() => (infrastructureBusy = false));
      await infrastructureFault;
    };
    every(options.killEveryMs, async () => {
      const victims = supervised.filter((service) => service.running);
      if (victims.length === 0) return;
      const victim = random.pick(victims);
      await scrape(victim);
      await victim.kill();
      const delay = random.int(0, options.restartDelayMs);
      log(`SIGKILL ${victim.spec.name}; back in ${delay} ms`);
      const timer = setTimeout(() => {
        restartTimers.delete(timer);
        victim.start();
      }, delay);
      restartTimers.add(timer);
    });
    every(
      options.postgresRestartEveryMs,
      takeTurn(async () => {
        const down = Date.now();
        log('Postgres: stopping');
        await infrastructure.stopPostgres();
        // The outage itself: the load generator's schedule, not a test wait.
        if (options.postgresOutageMs > 0) await new Promise((resolve) => setTimeout(resolve, options.postgresOutageMs));
        await infrastructure.startPostgres();
        postgresRestarts.count += 1;
        postgresRestarts.downMs += Date.now() - down;
        log(`Postgres: back after ${Date.now() - down} ms`);
      }),
    );
    every(
      options.emulatorOutageEveryMs,
      takeTurn(async () => {
        const down = Date.now();
        log('emulator: stopping');
        await infrastructure.stopEmulator();
        // The outage itself: the load generator's schedule, not a test wait.
        await new Promise((resolve) => setTimeout(resolve, options.emulatorOutageMs));
        await infrastructure.startEmulator();
        emulatorOutages.count += 1;
        emulatorOutages.downMs += Date.now() - down;
        log(`emulator: back after ${Date.now() - down} ms`);
      }),
    );
    every(options.faultWindowEveryMs, async () => {
      const target = random.pick(FAULT_TARGETS);
      await withDb((db) => openFaultWindow(db, target, options.faultWindowMs));
      faultWindows += 1;
      log(`writes to ${target} fail for ${options.faultWindowMs} ms`);
    });
    const poisonSends: Promise<void>[] = [];
    for (let index = 0; index < options.poisonCount; index++) {
      const code = POISON_CODES[index % POISON_CODES.length];
      const service = services[(index * 5 + 1) % services.length];
      const planned = poison(`chaos-poison-${options.seed}-${index}`, service.name, code, service.topology.consumes[0].type);
      const at = Math.round(((index + 1) * options.durationMs) / (options.poisonCount + 1));
      timers.push(
        setTimeout(() => {
          poisonSends.push(
            sendWhenReachable(sqs as SQSClient, names.queue(service.topology), planned.body).then(
              () => void poisons.push(planned),
              (error: unknown) => log(`poison ${planned.marker} not sent: ${(error as Error).message}`),
            ),
          );
        }, at),
      );
    }

    const loadStarted = Date.now();
    stream.start();
    log(`load: ${options.ordersPerSecond} orders/s for ${options.durationMs / 1000} s`);
    // The run's length: the load generator's schedule, not a test wait.
    await new Promise((resolve) => setTimeout(resolve, options.durationMs));
    const loadEnded = Date.now();

    log('stopping faults; letting in-flight orders finish');
    timers.forEach((timer) => (clearInterval(timer), clearTimeout(timer)));
    await infrastructureFault;
    restartTimers.forEach((timer) => clearTimeout(timer));
    supervised.forEach((service) => service.start());
    await stream.stop();
    await Promise.all(poisonSends);
    if (options.faultWindowEveryMs > 0 || options.paymentDelayMs > 0) await withDb(removeHandlerFaults);
    await allLive(supervised, 120_000);
    const recovered = Date.now();

    log('waiting for the shop to settle');
    const quiescence = await waitForQuiescence(() => withDb((db) => stillMoving(db, sqs as SQSClient, queues, options.quiesceTimeoutMs)), options.quiesceTimeoutMs);
    const settled = Date.now();
    clearInterval(scraper);
    await Promise.all(supervised.map(scrape));

    const snapshot = await withDb((db) => readSnapshot(db, sqs as SQSClient, queues, Object.keys(catalogue.initialStock)));
    const invariants = checkInvariants(snapshot, stream.orders, catalogue, poisons, { paymentsMayTimeOut: options.paymentTimeoutSeconds > 0 });
    const streamFigures = stream.figures();
    const crashes = supervised.flatMap((service) => service.figures.crashes.map((crash) => ({ service: service.spec.name, ...crash })));
    const violations = [
      ...(quiescence.settled ? [] : [`did not settle within ${options.quiesceTimeoutMs / 1000} s: ${quiescence.stillMoving.join('; ')}`]),
      ...streamFigures.refused.map((refusal) => `order refused: key ${refusal.key} got HTTP ${refusal.status} ${refusal.body}`),
      ...crashes.map((crash) => `${crash.service} crashed (${crash.code ?? crash.signal}) at ${crash.at}`),
      ...invariants.violations,
    ];
    passed = violations.length === 0;
    const retriesByCode = ledger.byLabel('retried', 'code');
    return {
      seed: options.seed,
      passed,
      settled: quiescence.settled,
      stillMoving: quiescence.stillMoving,
      violations,
      orders: { ...streamFigures, outcomes: invariants.outcomes, neverPlaced: invariants.neverPlaced, refunded: invariants.refunded },
      services: Object.fromEntries(supervised.map((service) => [service.spec.name, { ...service.figures, crashes: service.figures.crashes.length }])),
      crashes,
      postgresRestarts,
      emulatorOutages,
      faultWindows,
      poisonSent: poisons.length,
      repeatedDeadLetters: invariants.repeatedDeadLetters,
      messaging: {
        published: ledger.total('published'),
        publishFailures: ledger.total('publishFailures'),
        handled: ledger.total('handled'),
        duplicatesSuppressed: ledger.total('duplicates'),
        retries: ledger.total('retried'),
        retriesByCode,
        injectedFailures: retriesByCode[`DRIVER_${INJECTED_FAILURE_CODE}`] ?? 0,
        deadLettered: ledger.total('deadLettered'),
        deadLetteredByCode: ledger.byLabel('deadLettered', 'code'),
      },
      timings: { startMs: loadStarted - started, loadMs: loadEnded - loadStarted, recoverMs: recovered - loadEnded, settleMs: settled - recovered, totalMs: Date.now() - started },
      ...(options.keepWorkDir || !passed ? { workDir } : {}),
    };
  } finally {
    clearInterval(scraper);
    timers.forEach((timer) => (clearInterval(timer), clearTimeout(timer)));
    restartTimers.forEach((timer) => clearTimeout(timer));
    stream?.abort();
    await Promise.all(supervised.map((service) => service.stop()));
    sqs?.destroy();
    await infrastructure.stop();
    if (passed && !options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  }
}

function allLive(supervised: readonly SupervisedService[], timeoutMs: number): Promise<boolean> {
  return waitFor(async () => (await Promise.all(supervised.map((service) => service.live()))).every(Boolean), {
    timeoutMs,
    intervalMs: 250,
    what: `every service to answer /health/live (logs: ${supervised.map((service) => service.logFile).join(', ')})`,
  });
}

/** Sends a message straight to a queue, trying again while the emulator is away. */
async function sendWhenReachable(sqs: SQSClient, queue: string, body: string): Promise<void> {
  await waitFor(
    async () => {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: `a message to reach ${queue}` },
  );
}
