import { z } from 'zod';
import { defineEvent } from '../contracts/event-contract';

/**
 * The message a process manager's timeout comes back as. It is sent by the outbox to the service's
 * own queue (never to a topic) when due, and handled like any event: inbox, retries, dead letters.
 * Its event id is the timeout's id. A service whose process managers ask for timeouts lists it in
 * its topology's `consumes`; start-up says so when it is missing.
 */
export const ProcessManagerTimeout = defineEvent({
  type: 'messaging.process-manager.timeout.v1',
  topic: 'process-manager-timeouts',
  schema: z.object({
    process: z.string().min(1),
    key: z.string().min(1),
    timeout: z.string().min(1),
    data: z.unknown(),
  }),
});
