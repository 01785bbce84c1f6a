import type { OrderPlanner, PlannedOrder } from './order-plan';

export interface PlacedOrder extends PlannedOrder {
  /** The id the shop answered with; undefined if no attempt got an answer before giving up. */
  orderId?: string;
  attempts: number;
  /** An attempt was answered from the Idempotency-Key store (a retry of a request that had committed). */
  replayed: boolean;
  /** Why the last attempt failed, for orders that were given up on. */
  lastError?: string;
}

export interface OrderStreamFigures {
  planned: number;
  accepted: number;
  gaveUp: number;
  retries: number;
  replays: number;
  /** Answers no retry can fix (4xx): each is a finding. */
  refused: { key: string; status: number; body: string }[];
}

export interface OrderStreamOptions {
  ordersPerSecond: number;
  maxInFlight: number;
  /** How long one order is retried (orders down, database restarting) before it is given up. */
  giveUpAfterMs: number;
  requestTimeoutMs: number;
}

/**
 * A steady stream of orders against the orders service, each placed with its own Idempotency-Key
 * and retried with that key until the shop answers 202: a crash between commit and response is
 * answered from the key store on the retry, so a key never places two orders. The stream is the
 * load, not a test wait, so it runs on a timer.
 */
export class OrderStream {
  readonly orders: PlacedOrder[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly refused: OrderStreamFigures['refused'] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private aborted = false;

  constructor(
    private readonly baseUrl: () => string,
    private readonly planner: OrderPlanner,
    private readonly options: OrderStreamOptions,
  ) {}

  start(): void {
    const intervalMs = Math.max(10, Math.round(1000 / this.options.ordersPerSecond));
    this.timer = setInterval(() => {
      if (this.stopped || this.inFlight.size >= this.options.maxInFlight) return;
      const order: PlacedOrder = { ...this.planner.next(), attempts: 0, replayed: false };
      this.orders.push(order);
      const work = this.place(order).finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }, intervalMs);
  }

  /** Stops drawing new orders and waits for those in flight to be answered or given up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }

  /** Stops at once: orders in flight are given up after their current attempt. */
  abort(): void {
    this.aborted = true;
    this.stopped = true;
    clearInterval(this.timer);
  }

  figures(): OrderStreamFigures {
    return {
      planned: this.orders.length,
      accepted: this.orders.filter((order) => order.orderId).length,
      gaveUp: this.orders.filter((order) => !order.orderId).length,
      retries: this.orders.reduce((sum, order) => sum + Math.max(0, order.attempts - 1), 0),
      replays: this.orders.filter((order) => order.replayed).length,
      refused: [...this.refused],
    };
  }

  private async place(order: PlacedOrder): Promise<void> {
    const deadline = Date.now() + this.options.giveUpAfterMs;
    while (Date.now() < deadline && !this.aborted) {
      order.attempts += 1;
      try {
        const response = await fetch(`${this.baseUrl()}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': order.key, 'x-correlation-id': order.key },
          body: JSON.stringify(order.request),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs),
        });
        const text = await response.text();
        if (response.status === 202) {
          order.orderId = (JSON.parse(text) as { orderId: string }).orderId;
          order.replayed ||= response.headers.get('idempotent-replayed') === 'true';
          return;
        }
        if (response.status < 500) {
          this.refused.push({ key: order.key, status: response.status, body: text.slice(0, 500) });
          return;
        }
        order.lastError = `HTTP ${response.status}: ${text.slice(0, 200)}`;
      } catch (error) {
        order.lastError = error instanceof Error ? `${error.name}: ${(error.cause as Error | undefined)?.message ?? error.message}` : String(error);
      }
      // Back off a little, more on each attempt, while the service or its database comes back.
      if (!this.aborted) await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * order.attempts)));
    }
  }
}
