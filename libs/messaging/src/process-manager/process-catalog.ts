import { assertValidName, type ProcessManager } from './process-manager';
import { routesOf, type EventRoute, type TimeoutRoute } from './process-routes';

export interface Routed<R> {
  readonly process: ProcessManager;
  readonly route: R;
}

/** The process managers of one service, indexed by what triggers them. Checked when built. */
export class ProcessCatalog {
  private readonly byEventType = new Map<string, Routed<EventRoute>[]>();
  private readonly byTimeout = new Map<string, Routed<TimeoutRoute>>();
  private readonly byName = new Map<string, ProcessManager>();

  constructor(readonly processes: readonly ProcessManager[]) {
    for (const process of processes) {
      assertValidName('Process manager', process.name);
      if (this.byName.has(process.name)) throw new Error(`Two process managers are called "${process.name}"`);
      this.byName.set(process.name, process);
      const routes = routesOf(process);
      for (const route of routes) {
        if (route.kind === 'event') {
          const routed = this.byEventType.get(route.contract.type) ?? [];
          routed.push({ process, route });
          this.byEventType.set(route.contract.type, routed);
        } else {
          this.byTimeout.set(timeoutKey(process.name, route.timeout.name), { process, route });
        }
      }
    }
  }

  /** The event types some process manager handles: each needs a handler in the service. */
  get eventTypes(): string[] {
    return [...this.byEventType.keys()];
  }

  eventRoutes(type: string): readonly Routed<EventRoute>[] {
    return this.byEventType.get(type) ?? [];
  }

  timeoutRoute(process: string, timeout: string): Routed<TimeoutRoute> | undefined {
    return this.byTimeout.get(timeoutKey(process, timeout));
  }

  has(process: ProcessManager): boolean {
    return this.byName.get(process.name) === process;
  }
}

const timeoutKey = (process: string, timeout: string) => `${process}\u0000${timeout}`;
