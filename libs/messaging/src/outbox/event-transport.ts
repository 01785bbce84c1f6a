/** One outbox row on its way out. */
export interface OutgoingEvent {
  /** The outbox row id; unique within a batch. */
  readonly rowId: string;
  readonly eventId: string;
  readonly type: string;
  readonly body: string;
  /** FIFO message group; undefined for standard topics and queues. */
  readonly groupKey?: string;
}

/**
 * Where a batch goes: a contract's SNS topic (logical name, without the deployment prefix), or
 * this service's own SQS queue, for messages a service sends itself (a process manager's timeout).
 */
export type EventDestination = { readonly kind: 'topic'; readonly topic: string; readonly fifo: boolean } | { readonly kind: 'own-queue'; readonly fifo: boolean };

export interface BatchOutcome {
  readonly sent: string[];
  /** Entries the broker refused; `code` is its error code (`InvalidParameter`, `InternalError`, …). */
  readonly failed: { rowId: string; reason: string; code?: string }[];
}

/**
 * The publishing port. `publishBatch` sends at most `maxBatchSize` events and `maxBatchBytes` to one destination and
 * reports per event what was accepted; it throws only when the whole call failed (the broker is
 * down), and then nothing in the batch may be assumed sent.
 */
export interface EventTransport {
  /** Most entries in one call. */
  readonly maxBatchSize: number;
  /** Most bytes in one call, all entries together, counted as `messageBytes` counts them. */
  readonly maxBatchBytes: number;
  publishBatch(destination: EventDestination, events: readonly OutgoingEvent[]): Promise<BatchOutcome>;
}

export const EVENT_TRANSPORT = Symbol('EVENT_TRANSPORT');
