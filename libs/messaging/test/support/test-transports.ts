import type { BatchOutcome, EventDestination, EventTransport, OutgoingEvent } from '@app/messaging';

/** What a test transport saw: every call, with its destination and entries. */
export interface TransportCalls {
  calls: { destination: EventDestination; events: readonly OutgoingEvent[] }[];
}

/**
 * SNS's PublishBatch limits, enforced in front of the real transport, written out here rather than
 * taken from the library: 10 entries, and 256 KiB for the whole call counting each body and each
 * attribute's name, type and value (the library sends one: `type`, a String). The emulator does not
 * refuse an oversized call; AWS does, and refuses it whole.
 */
export function enforcingSnsLimits(transport: EventTransport, seen: TransportCalls = { calls: [] }): EventTransport {
  return {
    maxBatchSize: transport.maxBatchSize,
    maxBatchBytes: transport.maxBatchBytes,
    async publishBatch(destination, events): Promise<BatchOutcome> {
      seen.calls.push({ destination, events });
      if (events.length > 10) throw Object.assign(new Error('TooManyEntriesInBatchRequest: at most 10 entries'), { name: 'TooManyEntriesInBatchRequest' });
      const bytes = events.reduce((sum, event) => sum + Buffer.byteLength(event.body) + Buffer.byteLength(`typeString${event.type}`), 0);
      if (bytes > 262_144) {
        throw Object.assign(new Error(`BatchRequestTooLong: the batch is ${bytes} bytes, over 262144`), { name: 'BatchRequestTooLong' });
      }
      return transport.publishBatch(destination, events);
    },
  };
}

/** What the broker says about one entry: refuse it (with SNS's code) or let it through. */
export type EntryVerdict = { code: string; message: string } | undefined;

/** Calls and what came of each entry. */
export interface RefusalLog extends TransportCalls {
  /** Event bodies accepted by the real broker, in the order they were accepted. */
  accepted: string[];
  refused: string[];
}

/**
 * Returns a `Failed` entry, as PublishBatch does, for each entry `verdict` refuses, and sends the
 * rest through the real transport: the relay's handling of partial refusals, driven from outside.
 */
export function refusingEntries(transport: EventTransport, verdict: (event: OutgoingEvent) => EntryVerdict, log: RefusalLog = { calls: [], accepted: [], refused: [] }): EventTransport {
  return {
    maxBatchSize: transport.maxBatchSize,
    maxBatchBytes: transport.maxBatchBytes,
    async publishBatch(destination, events): Promise<BatchOutcome> {
      log.calls.push({ destination, events });
      const refused = events.flatMap((event) => {
        const refusal = verdict(event);
        return refusal ? [{ rowId: event.rowId, code: refusal.code, reason: `${refusal.code}: ${refusal.message}` }] : [];
      });
      log.refused.push(...events.filter((event) => refused.some((entry) => entry.rowId === event.rowId)).map((event) => event.body));
      const passing = events.filter((event) => !refused.some((entry) => entry.rowId === event.rowId));
      const outcome = passing.length > 0 ? await transport.publishBatch(destination, passing) : { sent: [], failed: [] };
      log.accepted.push(...passing.filter((event) => outcome.sent.includes(event.rowId)).map((event) => event.body));
      return { sent: outcome.sent, failed: [...refused, ...outcome.failed] };
    },
  };
}

/**
 * Every call answered no sooner than `ms` after it was made, as a broker a network away answers:
 * relay rounds that take longer than the commits a test makes one after another.
 */
export function answeringAfter(ms: number, transport: EventTransport): EventTransport {
  return {
    maxBatchSize: transport.maxBatchSize,
    maxBatchBytes: transport.maxBatchBytes,
    async publishBatch(destination, events): Promise<BatchOutcome> {
      const [outcome] = await Promise.all([transport.publishBatch(destination, events), new Promise((resolve) => setTimeout(resolve, ms))]);
      return outcome;
    },
  };
}
