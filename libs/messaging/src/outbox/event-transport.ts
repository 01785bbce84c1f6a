/** One outbox row on its way out. */
export interface OutgoingEvent {
  /** The outbox row id; unique within a batch. */
  readonly rowId: string;
  readonly eventId: string;
  readonly type: string;
  readonly body: string;
  /** FIFO message group; undefined for standard topics. */
  readonly groupKey?: string;
}

export interface BatchOutcome {
  readonly sent: string[];
  readonly failed: { rowId: string; reason: string }[];
}

/**
 * The publishing port. `publishBatch` sends at most `maxBatchSize` events to one topic and reports
 * per event what was accepted; it throws only when the whole call failed (the broker is down), and
 * then nothing in the batch may be assumed sent.
 */
export interface EventTransport {
  readonly maxBatchSize: number;
  publishBatch(topic: { topic: string; fifo: boolean }, events: readonly OutgoingEvent[]): Promise<BatchOutcome>;
}

export const EVENT_TRANSPORT = Symbol('EVENT_TRANSPORT');
