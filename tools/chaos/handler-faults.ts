import type { Client } from 'pg';

/** SQLSTATE of an injected failure: handlers' retries show it as `DRIVER_CH001`. */
export const INJECTED_FAILURE_CODE = 'CH001';

/**
 * Tables whose writes fail while a fault window is open: a payment's (both "charge requested" and
 * the recording of the provider's answer, i.e. a crash right after the provider charged) and a
 * shipment's.
 */
export const FAULT_TARGETS = ['payments.payments', 'shipping.shipments'] as const;

/**
 * Transient handler failures without touching the services' code: a trigger makes writes to the
 * target tables fail while a window is open, so the handlers writing them throw, roll back and are
 * retried by the consumer, exactly as with a real transient database error. MUST run after the
 * services have migrated (the tables exist).
 */
export async function installHandlerFaults(db: Client): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS chaos`);
  await db.query(`CREATE TABLE IF NOT EXISTS chaos.fault_windows (target text PRIMARY KEY, fail_until timestamptz NOT NULL)`);
  await db.query(`
    CREATE OR REPLACE FUNCTION chaos.fail_in_window() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM chaos.fault_windows WHERE target = TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME AND fail_until > clock_timestamp()) THEN
        RAISE EXCEPTION 'chaos: injected transient failure writing %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = '${INJECTED_FAILURE_CODE}';
      END IF;
      RETURN NEW;
    END $$`);
  for (const target of FAULT_TARGETS) {
    await db.query(`DROP TRIGGER IF EXISTS chaos_fault_window ON ${target}`);
    await db.query(`CREATE TRIGGER chaos_fault_window BEFORE INSERT OR UPDATE ON ${target} FOR EACH ROW EXECUTE FUNCTION chaos.fail_in_window()`);
  }
}

/** The share of the provider's answers whose recording a payment delay holds up. */
const DELAYED_SHARE = 0.3;

/**
 * Late payments without touching the services' code: payments' recording of some of the
 * provider's answers (the REQUESTED row becoming COMPLETED or DECLINED) sleeps up to `maxMs` first,
 * as a slow database, a long GC pause or a backlog would make it, so PaymentCompleted reaches
 * orders after the order's deadline and the charge has to be refunded. MUST run after the
 * services have migrated.
 */
export async function installPaymentDelay(db: Client, maxMs: number): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS chaos`);
  await db.query(`
    CREATE OR REPLACE FUNCTION chaos.delay_payment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'REQUESTED' AND NEW.status <> 'REQUESTED' AND random() < ${DELAYED_SHARE} THEN
        PERFORM pg_sleep(random() * ${Math.round(maxMs)} / 1000.0);
      END IF;
      RETURN NEW;
    END $$`);
  await db.query(`DROP TRIGGER IF EXISTS chaos_payment_delay ON payments.payments`);
  await db.query(`CREATE TRIGGER chaos_payment_delay BEFORE UPDATE ON payments.payments FOR EACH ROW EXECUTE FUNCTION chaos.delay_payment()`);
}

/** Opens a window: writes to the target fail for the next `durationMs`. */
export async function openFaultWindow(db: Client, target: string, durationMs: number): Promise<void> {
  await db.query(
    `INSERT INTO chaos.fault_windows (target, fail_until) VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
     ON CONFLICT (target) DO UPDATE SET fail_until = EXCLUDED.fail_until`,
    [target, durationMs],
  );
}

/** Closes every window and removes the triggers (faults and delays), so what is checked afterwards runs undisturbed. */
export async function removeHandlerFaults(db: Client): Promise<void> {
  for (const target of FAULT_TARGETS) await db.query(`DROP TRIGGER IF EXISTS chaos_fault_window ON ${target}`);
  await db.query(`DROP TRIGGER IF EXISTS chaos_payment_delay ON payments.payments`);
  await db.query(`DROP SCHEMA IF EXISTS chaos CASCADE`);
}
