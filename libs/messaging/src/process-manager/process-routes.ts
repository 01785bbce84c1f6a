import type { EventContract, EventPayload } from '../contracts/event-contract';
import type { CloudEvent } from '../envelope/cloud-event';
import type { ProcessManager, TimeoutDefinition, TimeoutPayload } from './process-manager';
import type { ProcessStep } from './process-step';

/** What happens to an event whose key has no instance yet. */
export type UnknownInstancePolicy = 'start' | 'ignore';
/** What happens to an event for an instance that has completed: drop it, or begin a fresh run. */
export type CompletedInstancePolicy = 'ignore' | 'restart';

/** Takes the instance key from an event; by default its CloudEvents subject (the aggregate id). */
export type Correlate<C extends EventContract> = (data: EventPayload<C>, envelope: CloudEvent) => string | undefined;

export interface EventRouteOptions<C extends EventContract> {
  correlate?: Correlate<C>;
  /** Default: `ignore`. A late event must not bring a finished process back to life by accident. */
  ifCompleted?: CompletedInstancePolicy;
}

export interface EventRoute {
  readonly kind: 'event';
  readonly contract: EventContract;
  readonly method: string | symbol;
  readonly correlate: Correlate<EventContract>;
  readonly ifUnknown: UnknownInstancePolicy;
  readonly ifCompleted: CompletedInstancePolicy;
}

export interface TimeoutRoute {
  readonly kind: 'timeout';
  readonly timeout: TimeoutDefinition;
  readonly method: string | symbol;
}

export type ProcessRoute = EventRoute | TimeoutRoute;

/** Checks the decorated method's signature: `(data, step) => void | Promise<void>`. */
type StepMethodDecorator<TData> = <S extends object>(target: object, method: string | symbol, descriptor: { value?: (data: TData, step: ProcessStep<S>) => Promise<void> | void }) => void;

const routesByClass = new WeakMap<object, ProcessRoute[]>();

const bySubject = (_data: unknown, envelope: CloudEvent) => envelope.subject;

function addRoute(target: object, route: ProcessRoute): void {
  const routes = routesByClass.get(target.constructor) ?? [];
  routes.push(route);
  routesByClass.set(target.constructor, routes);
}

/**
 * The event starts an instance when its key has none (and otherwise is handled by the running one):
 *
 *   @StartedBy(OrderPlaced, { correlate: (order) => order.orderId })
 *   placed(order: EventPayload<typeof OrderPlaced>, step: ProcessStep<State>) { ... }
 */
export function StartedBy<C extends EventContract>(contract: C, options: EventRouteOptions<C> = {}): StepMethodDecorator<EventPayload<C>> {
  return (target, method) => addRoute(target, eventRoute(contract, method, 'start', options));
}

/** The event is handled by a running instance; with no instance for its key it is ignored (and logged). */
export function Handles<C extends EventContract>(contract: C, options: EventRouteOptions<C> = {}): StepMethodDecorator<EventPayload<C>> {
  return (target, method) => addRoute(target, eventRoute(contract, method, 'ignore', options));
}

/**
 * The timeout has come for this instance. It runs only if the instance is still running and still
 * waits for this very timeout: one cancelled, rescheduled or left behind by completion is dropped.
 */
export function OnTimeout<T extends TimeoutDefinition>(timeout: T): StepMethodDecorator<TimeoutPayload<T>> {
  return (target, method) => addRoute(target, { kind: 'timeout', timeout, method });
}

function eventRoute<C extends EventContract>(contract: C, method: string | symbol, ifUnknown: UnknownInstancePolicy, options: EventRouteOptions<C>): EventRoute {
  return {
    kind: 'event',
    contract,
    method,
    correlate: (options.correlate ?? bySubject) as Correlate<EventContract>,
    ifUnknown,
    ifCompleted: options.ifCompleted ?? 'ignore',
  };
}

/** The routes declared on a process manager class and its ancestors. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any class
export function routesOfClass(type: Function): ProcessRoute[] {
  const routes: ProcessRoute[] = [];
  for (let proto = type.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    routes.push(...(routesByClass.get(proto.constructor) ?? []));
  }
  return routes;
}

/** The routes of a process manager, checked for two handlers of one message. */
export function routesOf(manager: ProcessManager): ProcessRoute[] {
  const routes = routesOfClass(manager.constructor);
  const seen = new Set<string>();
  for (const route of routes) {
    const id = route.kind === 'event' ? `event ${route.contract.type}` : `timeout ${route.timeout.name}`;
    if (seen.has(id)) throw new Error(`Process manager "${manager.name}" has two handlers for ${id}`);
    seen.add(id);
  }
  return routes;
}
