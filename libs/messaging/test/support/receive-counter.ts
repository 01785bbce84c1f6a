import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Counts the ReceiveMessage calls of a real SQS client as they happen: how many are in flight at
 * once (the most ever seen), when each started, and how many have returned. An SDK middleware that only observes.
 */
export function countReceives(sqs: SQSClient) {
  const counts = { inFlight: 0, mostInFlight: 0, completed: 0, startedAt: [] as number[] };
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'ReceiveMessageCommand') return next(args);
      counts.startedAt.push(Date.now());
      counts.inFlight += 1;
      counts.mostInFlight = Math.max(counts.mostInFlight, counts.inFlight);
      try {
        return await next(args);
      } finally {
        counts.inFlight -= 1;
        counts.completed += 1;
      }
    },
    { step: 'initialize', name: 'countReceives' },
  );
  return counts;
}
