import { waitFor } from '@app/messaging/testing';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from 'pg';
import { queueDepth, SCHEMAS, type QueueNames } from './snapshot';

/**
 * What still moves: unsent outbox rows per schema, messages per queue (waiting, in flight or
 * delayed for a retry), orders not yet in a terminal state. Empty when the system has settled.
 * A timer falling due within `timersDueWithinMs` (an order's payment deadline, seconds away in a
 * deadline run) moves before the shop can be called settled: it is sent and handled, briefly a
 * message in flight. One due later (the default deadline, minutes away) is waiting, not moving.
 */
export async function stillMoving(db: Client, sqs: SQSClient, queues: readonly QueueNames[], timersDueWithinMs: number): Promise<string[]> {
  const moving: string[] = [];
  for (const schema of SCHEMAS) {
    const { rows } = await db.query(
      `SELECT count(*)::int AS pending FROM "${schema}".outbox_messages
       WHERE published_at IS NULL AND (deliver_at IS NULL OR deliver_at <= now() + $1 * interval '1 millisecond')`,
      [timersDueWithinMs],
    );
    if (rows[0].pending > 0) moving.push(`${schema} outbox: ${rows[0].pending} unsent`);
  }
  for (const { queue } of queues) {
    const depth = await queueDepth(sqs, queue);
    const total = depth.waiting + depth.inFlight + depth.delayed;
    if (total > 0) moving.push(`${queue}: ${depth.waiting} waiting, ${depth.inFlight} in flight, ${depth.delayed} delayed`);
  }
  const { rows } = await db.query(`SELECT status, count(*)::int AS n FROM orders.orders WHERE status NOT IN ('SHIPPED', 'CANCELLED') GROUP BY status`);
  for (const row of rows) moving.push(`${row.n} order(s) ${row.status}`);
  return moving;
}

/**
 * Polls until nothing moves on two readings in a row (a message between a commit and its send is
 * not seen by one reading), or the deadline passes; then says what was still moving.
 */
export async function waitForQuiescence(probe: () => Promise<string[]>, timeoutMs: number): Promise<{ settled: boolean; stillMoving: string[] }> {
  let last: string[] = [];
  let quietReadings = 0;
  try {
    await waitFor(
      async () => {
        last = await probe();
        quietReadings = last.length === 0 ? quietReadings + 1 : 0;
        return quietReadings >= 2;
      },
      { timeoutMs, intervalMs: 500, what: 'the shop to settle' },
    );
    return { settled: true, stillMoving: [] };
  } catch {
    return { settled: false, stillMoving: last.length > 0 ? last : ['(the last reading failed)'] };
  }
}
