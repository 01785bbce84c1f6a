import { BatchSender } from './batch-sender';
import type { BatchOutcome, EventDestination, EventTransport, OutgoingEvent } from './event-transport';
import type { ClaimedRow } from './outbox-claim';

const row = (id: number, group: string | null, body = `{"n":${id}}`): ClaimedRow => ({
  id: String(id),
  event_id: `evt-${id}`,
  type: 't.e.v1',
  topic: 'things',
  group_key: group,
  destination: 'topic',
  body,
  traceparent: null,
  attempts: 0,
  due_at: new Date(),
});

/** Accepts everything except what `refuse` names; records every call. */
function fakeTransport(refuse: (event: OutgoingEvent) => string | undefined = () => undefined, throwFor?: (events: readonly OutgoingEvent[]) => Error | undefined) {
  const calls: { destination: EventDestination; ids: string[] }[] = [];
  const transport: EventTransport = {
    maxBatchSize: 10,
    maxBatchBytes: 256 * 1024,
    async publishBatch(destination, events): Promise<BatchOutcome> {
      calls.push({ destination, ids: events.map((event) => event.rowId) });
      const error = throwFor?.(events);
      if (error) throw error;
      const failed = events.flatMap((event) => {
        const code = refuse(event);
        return code ? [{ rowId: event.rowId, code, reason: `${code}: no` }] : [];
      });
      return { sent: events.filter((event) => !failed.some((entry) => entry.rowId === event.rowId)).map((event) => event.rowId), failed };
    },
  };
  return { transport, calls };
}

describe('BatchSender', () => {
  it('sends a FIFO group one row per call, in id order, groups side by side', async () => {
    const { transport, calls } = fakeTransport();
    const result = await new BatchSender(transport, 'svc', 4).sendFifo([row(3, 'a'), row(1, 'a'), row(2, 'b'), row(4, 'b'), row(5, 'a')]);
    expect(calls.map((call) => call.ids)).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect(result.sent.map((sent) => sent.id)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('stops a FIFO group at its refused row and hands the rest back unsent; other groups go on', async () => {
    const { transport, calls } = fakeTransport((event) => (event.rowId === '3' ? 'InternalError' : undefined));
    const result = await new BatchSender(transport, 'svc', 4).sendFifo([row(1, 'a'), row(2, 'b'), row(3, 'a'), row(4, 'b'), row(5, 'a'), row(6, 'b')]);
    expect(calls.flatMap((call) => call.ids)).not.toContain('5');
    expect(result.refused.map((refused) => refused.row.id)).toEqual(['3']);
    expect(result.unsent.map((unsent) => unsent.id)).toEqual(['5']);
    expect(result.sent.map((sent) => sent.id).sort()).toEqual(['1', '2', '4', '6']);
  });

  it('tries a call refused whole for an invalid parameter entry by entry, and reports a passing failure as unsent', async () => {
    const invalid = Object.assign(new Error('bad attribute'), { name: 'InvalidParameterException' });
    const { transport, calls } = fakeTransport(undefined, (events) => (events.some((event) => event.rowId === '2') ? invalid : undefined));
    const result = await new BatchSender(transport, 'svc', 4).sendStandard([row(1, null), row(2, null), row(3, null)]);
    expect(calls.map((call) => call.ids)).toEqual([['1', '2', '3'], ['1'], ['2'], ['3']]);
    expect(result.refused).toEqual([expect.objectContaining({ code: 'InvalidParameterException', reason: 'InvalidParameterException: bad attribute' })]);
    expect(result.sent.map((sent) => sent.id)).toEqual(['1', '3']);

    const down = fakeTransport(undefined, () => Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }));
    const outage = await new BatchSender(down.transport, 'svc', 4).sendStandard([row(1, null), row(2, null)]);
    expect(outage).toMatchObject({ sent: [], refused: [], unsent: [expect.objectContaining({ id: '1' }), expect.objectContaining({ id: '2' })] });
    expect(outage.error?.message).toBe('connect ECONNREFUSED');
  });

  it('cuts batches by bytes and by destination', async () => {
    const { transport, calls } = fakeTransport();
    const big = 'x'.repeat(100 * 1024);
    await new BatchSender(transport, 'svc', 4).sendStandard([row(1, null, big), row(2, null, big), row(3, null, big), { ...row(4, null), destination: 'own-queue' }]);
    expect(calls.map((call) => [call.destination.kind, call.ids])).toEqual([
      ['topic', ['1', '2']],
      ['topic', ['3']],
      ['own-queue', ['4']],
    ]);
  });

  it('keeps at most callsInFlight calls with the broker across rounds sending side by side', async () => {
    let inFlight = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const transport: EventTransport = {
      maxBatchSize: 10,
      maxBatchBytes: 256 * 1024,
      async publishBatch(_destination, events): Promise<BatchOutcome> {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise<void>((resolve) => releases.push(resolve));
        inFlight -= 1;
        return { sent: events.map((event) => event.rowId), failed: [] };
      },
    };
    const sender = new BatchSender(transport, 'svc', 3);
    const rows = (from: number) => Array.from({ length: 40 }, (_, index) => row(from + index, null));
    const rounds = Promise.all([sender.sendStandard(rows(1)), sender.sendStandard(rows(101))]);
    let answered = 0;
    while (answered < 8) {
      await new Promise((resolve) => setImmediate(resolve));
      const release = releases.shift();
      if (release) {
        release();
        answered += 1;
      }
    }
    const [first, second] = await rounds;
    expect(most).toBe(3);
    expect(first.sent.length + second.sent.length).toBe(80);
  });
});
