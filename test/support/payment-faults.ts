import { waitFor } from '@app/messaging/testing';
import type { Client } from 'pg';

/** Where payments can be held up: the provider answering a charge, or payments recording the answer. */
export type PaymentStep = 'provider answers' | 'payments records the answer';

const STEPS: Record<PaymentStep, { trigger: string; table: string; when: string }> = {
  'provider answers': { trigger: 'spec_gate_provider', table: 'payments.simulated_provider_operations', when: `BEFORE INSERT ON %s FOR EACH ROW WHEN (NEW.operation = 'charge')` },
  'payments records the answer': {
    trigger: 'spec_gate_recording',
    table: 'payments.payments',
    when: `BEFORE UPDATE ON %s FOR EACH ROW WHEN (OLD.status = 'REQUESTED' AND NEW.status <> 'REQUESTED')`,
  },
};
const at = (step: PaymentStep) => STEPS[step].when.replace('%s', STEPS[step].table);

const GATE_KEY = 7_012_001;

/**
 * Holds payments at one step for as long as the spec likes, without touching its code: a trigger
 * at that step waits for an advisory lock the spec holds. The spec decides what happens meanwhile
 * (a deadline passing, a cancellation arriving) and then lets payments go on. Advisory locks belong
 * to the spec's own database, so parallel specs do not hold each other up.
 */
export class PaymentGate {
  private constructor(private readonly db: Client) {}

  static async install(db: Client, step: PaymentStep): Promise<PaymentGate> {
    const { trigger, table } = STEPS[step];
    await db.query(`
      CREATE OR REPLACE FUNCTION payments.spec_gate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_lock_shared(${GATE_KEY});
        PERFORM pg_advisory_unlock_shared(${GATE_KEY});
        RETURN NEW;
      END $$`);
    await db.query(`DROP TRIGGER IF EXISTS ${trigger} ON ${table}`);
    await db.query(`CREATE TRIGGER ${trigger} ${at(step)} EXECUTE FUNCTION payments.spec_gate()`);
    await db.query(`SELECT pg_advisory_lock(${GATE_KEY})`);
    return new PaymentGate(db);
  }

  /** Waits until this many sessions are held at the gate. */
  async held(sessions = 1): Promise<void> {
    await waitFor(
      async () => {
        const { rows } = await this.db.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, [GATE_KEY]);
        return rows[0].n >= sessions || undefined;
      },
      { what: `${sessions} payments session(s) held at the gate` },
    );
  }

  /** Lets every held session go on, and any later one pass. */
  async open(): Promise<void> {
    await this.db.query(`SELECT pg_advisory_unlock(${GATE_KEY})`);
  }
}

/**
 * A payments crash right after the provider answered, as often as asked: recording the answer
 * fails (the handler rolls back and the event comes back), after the provider has charged.
 * Sequences are not rolled back, so each attempt counts.
 */
export async function crashAfterProviderAnswers(db: Client, times: number): Promise<void> {
  await db.query(`CREATE SEQUENCE IF NOT EXISTS payments.spec_crashes`);
  await db.query(`
    CREATE OR REPLACE FUNCTION payments.spec_crash() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('payments.spec_crashes') <= ${times} THEN
        RAISE EXCEPTION 'spec: payments crashed after the provider answered' USING ERRCODE = 'CH001';
      END IF;
      RETURN NEW;
    END $$`);
  await db.query(`DROP TRIGGER IF EXISTS spec_crash ON payments.payments`);
  await db.query(`CREATE TRIGGER spec_crash ${at('payments records the answer')} EXECUTE FUNCTION payments.spec_crash()`);
}

/** Removes every fault this file installs. */
export async function removePaymentFaults(db: Client): Promise<void> {
  for (const { trigger, table } of Object.values(STEPS)) await db.query(`DROP TRIGGER IF EXISTS ${trigger} ON ${table}`);
  await db.query(`DROP TRIGGER IF EXISTS spec_crash ON payments.payments`);
}
