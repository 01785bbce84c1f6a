import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { EventPayload } from '../contracts/event-contract';
import { EventContext } from '../consumer/event-context';
import { EventHandlersServer } from '../consumer/event-handlers.server';
import { ProcessCatalog } from './process-catalog';
import { ProcessManager } from './process-manager';
import { routesOfClass } from './process-routes';
import { ProcessRunner, type StepReport, type StepUnit } from './process-runner';
import { ProcessManagerTimeout } from './process-manager-timeout.contract';
import type { InstanceStore } from './instance-store';
import type { TimeoutScheduler } from './timeout-scheduler';

export const INSTANCE_STORE = Symbol('INSTANCE_STORE');
export const TIMEOUT_SCHEDULER = Symbol('TIMEOUT_SCHEDULER');

/**
 * Puts the service's process managers on the consumer's ordinary path. For every event type a
 * process manager handles (and for their timeouts), it adds one event handler to the
 * EventHandlersServer, exactly as an `@OnEvent` method would be: the dispatcher runs it inside its
 * unit of work (inbox row, handler, outbox, one transaction) and the start-up check against the
 * topology covers it. It must be done while providers are built, before the microservice's
 * handlers are checked, so the event types are read from the classes' decorators; the catalog of
 * instances is built once they exist.
 */
@Injectable()
export class ProcessManagerHost implements OnModuleInit {
  private readonly logger = new Logger('ProcessManagers');
  private built?: ProcessRunner;
  private readonly registered: { eventTypes: Set<string>; timeouts: boolean };

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly handlers: EventHandlersServer,
    @Inject(INSTANCE_STORE) private readonly store: InstanceStore,
    @Inject(TIMEOUT_SCHEDULER) private readonly scheduler: TimeoutScheduler,
  ) {
    const declared = (this.registered = this.declaredRoutes());
    for (const type of declared.eventTypes) this.handlers.addHandler(type, this.chained((data, ctx) => this.runner.onEvent(unitOf(ctx), ctx.envelope, data)), true);
    if (declared.timeouts) {
      this.handlers.addHandler(
        ProcessManagerTimeout.type,
        this.chained(async (data, ctx) => [await this.runner.onTimeout(unitOf(ctx), { id: ctx.envelope.id, ...(data as EventPayload<typeof ProcessManagerTimeout>) })]),
        true,
      );
    }
  }

  /**
   * Builds the catalog at start-up, so a misdeclared process manager stops the service there. (A
   * missing `ProcessManagerTimeout` in "consumes" is caught earlier, by the handlers' topology check.)
   */
  onModuleInit(): void {
    for (const process of this.runner.catalog.processes) {
      const routes = routesOfClass(process.constructor);
      const missed = routes.some((route) => (route.kind === 'event' ? !this.registered.eventTypes.has(route.contract.type) : !this.registered.timeouts));
      if (missed) throw new Error(`Process manager "${process.name}" must be provided as a class (not a factory or a value), so its handlers are found before the consumer starts`);
    }
  }

  /** The runner over the process managers of this service, built on first use. */
  get runner(): ProcessRunner {
    this.built ??= new ProcessRunner(new ProcessCatalog(this.instances()), this.store, this.scheduler);
    return this.built;
  }

  private instances(): ProcessManager[] {
    return this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is ProcessManager => instance instanceof ProcessManager);
  }

  private declaredRoutes(): { eventTypes: Set<string>; timeouts: boolean } {
    const eventTypes = new Set<string>();
    let timeouts = false;
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype;
      if (typeof type !== 'function' || !(type.prototype instanceof ProcessManager)) continue;
      for (const route of routesOfClass(type)) {
        if (route.kind === 'event') eventTypes.add(route.contract.type);
        else timeouts = true;
      }
    }
    return { eventTypes, timeouts };
  }

  /**
   * A handler in Nest's chain for its event type: when an `@OnEvent` method handles the same type,
   * Nest links the handlers (`next`), and each runs in turn inside the same transaction.
   */
  private chained(run: (data: unknown, ctx: EventContext) => Promise<StepReport[]>): MessageHandler {
    const handler: MessageHandler = async (data: unknown, ctx: EventContext) => {
      if (!(ctx instanceof EventContext)) throw new Error('Process managers run only under the messaging consumer');
      for (const report of await run(data, ctx)) this.log(ctx, report);
      if (handler.next) await lastValueFrom(this.handlers.transformToObservable(await handler.next(data, ctx)), { defaultValue: undefined });
    };
    return handler;
  }

  private log(ctx: EventContext, report: StepReport): void {
    const fields = { eventId: ctx.envelope.id, type: ctx.envelope.type, process: report.process, key: report.key };
    if (report.outcome === 'ignored') this.logger.log({ ...fields, reason: report.reason }, 'Process manager ignored a message');
    else this.logger.debug({ ...fields, outcome: report.outcome, version: report.version, completed: report.completed }, 'Process manager took a step');
  }
}

function unitOf(ctx: EventContext): StepUnit {
  return { manager: ctx.manager, publish: (contract, data, options) => ctx.publish(contract, data, options), message: ctx.envelope };
}
