import { ConfigurationError, loadConfig, locateQueue, messagingEnvSchema } from '@app/messaging';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { services as shopServices, type ServiceEntry } from '../services';
import {
  countReplayable,
  deadLetterOverview,
  listDeadLetters,
  openOps,
  OpsError,
  outboxBacklog,
  parkedEvents,
  planReplay,
  queueNamesOf,
  redriveDeadLetters,
  releaseParked,
  releaseSelection,
  replayEvents,
  scheduledEvents,
  showDeadLetter,
  type Ops,
  type Progress,
} from '@app/operations';
import { formatDeadLetter, formatDeadLetterListing, formatOutboxBacklog, formatQueueDepths, formatRedrive, formatParkedEvents, formatReplay, formatReplayMatch, formatScheduledEvents } from './format';
import { opsEnvironment } from './ops-environment';
import { progressBar } from './progress-bar';

/** Where the program reads its environment and writes its output; tests pass their own. */
export interface OpsIo {
  env: NodeJS.ProcessEnv;
  /** Results and help. */
  out(text: string): void;
  /** Usage errors. */
  err(text: string): void;
  services: readonly ServiceEntry[];
  progress(label: string): Progress;
  /** Throw commander's errors (help shown, bad usage) instead of exiting the process. */
  exitOverride?: boolean;
  /** Where a running local stack writes its endpoints (used when no AWS variables are set). */
  localStackFile?: string;
}

/**
 * `npm run ops -- <command>`: the operator's view of queues, dead letters and outboxes. A thin front
 * end: every operation lives in @app/operations, where the console calls it too.
 */
export function createProgram(overrides: Partial<OpsIo> = {}): Command {
  const io: OpsIo = {
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    services: shopServices,
    progress: progressBar,
    ...overrides,
  };
  const program = new Command('ops');
  // Set before any subcommand exists: subcommands copy these when created.
  program.configureOutput({ writeOut: io.out, writeErr: io.err });
  if (io.exitOverride) program.exitOverride();
  program
    .description('Operate the shop: dead letters, outbox backlogs and event replays. Reads the same environment as the services.')
    .option('--json', 'print results as JSON instead of tables')
    .showHelpAfterError();

  const consumers = io.services.filter((service) => service.topology.consumes.length > 0).map((service) => service.name);
  const producers = io.services.filter((service) => service.topology.publishes.length > 0).map((service) => service.name);
  const print = (command: Command, result: unknown, text: () => string) => io.out(`${command.optsWithGlobals().json ? JSON.stringify(result, null, 2) : text()}\n`);
  const withOps = async <T>(work: (ops: Ops) => Promise<T>): Promise<T> => {
    const ops = openOps(loadConfig(messagingEnvSchema, opsEnvironment(io.env, io.localStackFile)), io.services);
    try {
      return await work(ops);
    } finally {
      await ops.close();
    }
  };

  const dlq = program.command('dlq').description('Dead-letter queues: look, then send back what can now succeed');
  dlq
    .command('list')
    .description('Queue and DLQ depth per service; with --service, the dead letters themselves (read without consuming them)')
    .addOption(new Option('--service <name>', 'list the messages in this service\'s DLQ').choices(consumers))
    .option('--limit <count>', 'show at most this many messages', positiveInt, 50)
    .action((options: { service?: string; limit: number }, command: Command) =>
      withOps(async (ops) => {
        if (!options.service) {
          const depths = await deadLetterOverview(ops);
          return print(command, depths, () => formatQueueDepths(depths));
        }
        const listing = await listDeadLetters(ops, options.service, { limit: options.limit });
        print(command, listing, () => formatDeadLetterListing(listing));
      }),
    );
  dlq
    .command('show')
    .description('One dead letter in full: attributes and body')
    .addArgument(new Argument('<service>').choices(consumers))
    .argument('<messageId>', 'the message id shown by `dlq list --service`')
    .action((service: string, messageId: string, _options: object, command: Command) =>
      withOps(async (ops) => {
        const letter = await showDeadLetter(ops, service, messageId);
        print(command, letter, () => formatDeadLetter(letter));
      }),
    );
  dlq
    .command('redrive')
    .description("Move dead letters back to the service's queue (at least once: consumers dedupe by event id)")
    .addArgument(new Argument('<service>').choices(consumers))
    .addOption(new Option('--message <id>', 'move this one message'))
    .addOption(new Option('--all', 'move every message that is in the DLQ now').conflicts('message'))
    .action((service: string, options: { message?: string; all?: boolean }, command: Command) => {
      if (!options.message && !options.all) command.error('error: say which dead letters to move: --message <id> or --all');
      return withOps(async (ops) => {
        const selection = options.message ? { messageId: options.message } : ({ all: true } as const);
        const result = await redriveDeadLetters(ops, service, selection, options.all ? io.progress('redrive') : undefined);
        print(command, result, () => formatRedrive(result));
        if (result.failed.length > 0) throw new OpsError(`${result.failed.length} dead letter(s) could not be moved`);
      });
    });

  const outbox = program.command('outbox').description('Transactional outboxes');
  outbox
    .command('scheduled')
    .description('Scheduled events not sent yet, with their due times (database clock), the soonest first')
    .addOption(new Option('--service <name>', "only this service's").choices(producers))
    .option('--limit <count>', 'show at most this many', positiveInt, 100)
    .action((options: { service?: string; limit: number }, command: Command) =>
      withOps(async (ops) => {
        const events = await scheduledEvents(ops, options);
        print(command, events, () => formatScheduledEvents(events));
      }),
    );
  outbox
    .command('parked')
    .description('Rows the relay gave up on (refused for good, or out of attempts), with the reason')
    .addOption(new Option('--service <name>', "only this service's").choices(producers))
    .option('--limit <count>', 'show at most this many per service', positiveInt, 100)
    .action((options: { service?: string; limit: number }, command: Command) =>
      withOps(async (ops) => {
        const events = await parkedEvents(ops, options);
        print(command, events, () => formatParkedEvents(events));
      }),
    );
  outbox
    .command('release')
    .description('Send parked rows again (fix the cause first: a row refused for good is parked again)')
    .addArgument(new Argument('<service>').choices(producers))
    .argument('[id]', 'the row id shown by `outbox parked`, or the event id')
    .option('--all', 'every parked row of the service')
    .action((service: string, id: string | undefined, options: { all?: boolean }, command: Command) => {
      if (!id && !options.all) command.error('error: say which parked rows to release: <id> or --all');
      if (id && options.all) command.error('error: give either <id> or --all, not both');
      return withOps(async (ops) => {
        const result = await releaseParked(ops, service, releaseSelection(id, options.all));
        print(command, result, () => `Released ${result.released} parked row${result.released === 1 ? '' : 's'} of ${result.service}.`);
        if (id && result.released === 0) throw new OpsError(`No parked row ${id} in ${service}'s outbox`);
      });
    });
  outbox
    .command('backlog')
    .description('Per service: pending rows, age of the oldest, relay failures, parked and scheduled rows, published rows kept and the last publication')
    .action((_options: object, command: Command) =>
      withOps(async (ops) => {
        const backlog = await outboxBacklog(ops);
        print(command, backlog, () => formatOutboxBacklog(backlog));
      }),
    );

  program
    .command('replay')
    .description("Send a producer's published events again, from its outbox, straight to one queue: how a new subscriber catches up")
    .requiredOption('--type <type>', 'event type, e.g. shop.order.placed.v1')
    .addOption(new Option('--service <consumer>', "send to this service's queue (it must consume the type)").choices(consumers))
    .addOption(new Option('--queue <name>', 'send to this queue instead (full name, with the prefix)').conflicts('service'))
    .addOption(new Option('--from <producer>', 'the producing service (needed only when several publish the type)').choices(producers))
    .option('--since <instant>', 'events written at or after this ISO-8601 instant', instant)
    .option('--until <instant>', 'events written before this ISO-8601 instant', instant)
    .option('--dry-run', 'count what would be sent, send nothing')
    .action(
      (
        options: { type: string; service?: string; queue?: string; from?: string; since?: Date; until?: Date; dryRun?: boolean },
        command: Command,
      ) => {
        if (!options.service && !options.queue) command.error('error: say where to send the events: --service <consumer> or --queue <name>');
        return withOps(async (ops) => {
          const plan = planReplay(ops, { type: options.type, consumer: options.service, from: options.from, since: options.since, until: options.until });
          const queueName = plan.consumer ? queueNamesOf(ops, plan.consumer).queue : (options.queue ?? '');
          const queueUrl = await locateQueue(ops.sqs, queueName);
          const summary = { type: plan.type, from: plan.producer.name, queue: queueName };
          if (options.dryRun) {
            const match = await countReplayable(ops, plan);
            return print(command, { ...summary, ...match, dryRun: true }, () => formatReplayMatch(plan, match, queueName));
          }
          const result = await replayEvents(ops, plan, queueUrl, io.progress('replay'));
          print(command, { ...summary, ...result }, () => formatReplay(plan, result, queueName));
          if (result.failed.length > 0) throw new OpsError(`${result.failed.length} event(s) could not be sent`);
        });
      },
    );

  return program;
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number above zero');
  return parsed;
}

function instant(value: string): Date {
  // Date.parse takes nearly anything; an operator's time range must mean exactly what it says.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value)) {
    throw new InvalidArgumentError('expected an ISO-8601 date or instant with a zone, e.g. 2025-01-31 or 2025-01-31T12:00:00Z');
  }
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new InvalidArgumentError('not a valid date');
  return parsed;
}

if (require.main === module) {
  createProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      const known = error instanceof OpsError || error instanceof ConfigurationError;
      console.error(known ? error.message : error);
      process.exit(1);
    });
}
