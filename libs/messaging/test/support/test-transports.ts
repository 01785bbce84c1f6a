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
