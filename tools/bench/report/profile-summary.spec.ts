import { areaOf, summarise } from './profile-summary';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** root → handle (project) → query (pg); root → (idle); root → (garbage collector). */
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
    { id: 2, callFrame: frame('handle', 'file:///srv/shop/dist/libs/messaging/src/consumer/event-dispatcher.js', 9), children: [3] },
    { id: 3, callFrame: frame('query', 'file:///srv/shop/node_modules/pg/lib/client.js', 99) },
    { id: 4, callFrame: frame('(idle)') },
    { id: 5, callFrame: frame('(garbage collector)') },
  ],
  // Sample n took timeDeltas[n] µs.
  samples: [2, 3, 3, 4, 5, 3],
  timeDeltas: [1000, 1000, 1000, 5000, 1000, 1000],
};

describe('CPU profile summary', () => {
  it('splits busy from idle time and puts self time where the code lives', () => {
    const summary = summarise(profile, ['handle']);
    expect(summary).toMatchObject({ busyMs: 5, idleMs: 5 });
    expect(summary.byArea.map(({ name, ms }) => [name, ms])).toEqual([
      ['pg', 3],
      ['libs/messaging/src/consumer', 1],
      ['(garbage collector)', 1],
    ]);
    expect(summary.byFunction[0]).toEqual({ name: 'query pg:100', ms: 3, percent: 60 });
    // handle's own millisecond and the three of the query it called.
    expect(summary.inclusive).toEqual([{ name: 'handle', ms: 4, percent: 80 }]);
  });

  it('names the AWS SDK as one area whichever of its packages the code is in', () => {
    expect(areaOf('file:///w/node_modules/@smithy/core/dist/index.js', 'f')).toBe('aws sdk (@smithy/core)');
    expect(areaOf('node:internal/streams/readable', 'read')).toBe('node internals');
  });
});
