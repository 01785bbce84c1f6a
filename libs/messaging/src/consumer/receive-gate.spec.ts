import { ReceiveCancelledError, ReceiveGate } from './receive-gate';

describe('ReceiveGate', () => {
  it('regression: a receive held by a database outage is cancelled at shutdown instead of spinning until the heap runs out', async () => {
    const gate = new ReceiveGate();
    gate.hold(new Promise(() => undefined)); // an outage that outlasts the shutdown
    const waiting = gate.beforeReceive();
    gate.close();
    await expect(waiting).rejects.toBeInstanceOf(ReceiveCancelledError);
    // Timers still run: the event loop was not starved.
    await new Promise((resolve) => setTimeout(resolve, 1));
  });

  it('lets a receive through once every hold has settled', async () => {
    const gate = new ReceiveGate();
    let end!: () => void;
    gate.hold(new Promise<void>((resolve) => (end = resolve)));
    const waiting = gate.beforeReceive();
    expect(gate.held).toBe(true);
    end();
    await expect(waiting).resolves.toBeUndefined();
    expect(gate.held).toBe(false);
  });

  it('cancels a receive that arrives after shutdown', async () => {
    const gate = new ReceiveGate();
    gate.close();
    await expect(gate.beforeReceive()).rejects.toBeInstanceOf(ReceiveCancelledError);
  });
});
