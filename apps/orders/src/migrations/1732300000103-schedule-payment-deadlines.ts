import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payment deadline moved from a job that swept the orders table onto a durable timer per order,
 * asked for when the order is placed. Orders already waiting for their payment get theirs here: the
 * process-manager instance and its timeout, a scheduled outbox row for this service's own queue,
 * due at the order's deadline (those past it fire at once), as `PaymentDeadlineProcess.start` writes them.
 */
export class SchedulePaymentDeadlines1732300000103 implements MigrationInterface {
  name = 'SchedulePaymentDeadlines1732300000103';

  async up(queryRunner: QueryRunner): Promise<void> {
    const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    await queryRunner.query(`
      WITH waiting AS MATERIALIZED (
        SELECT id::text AS order_id, correlation_id, payment_deadline + interval '1 millisecond' AS due_at, gen_random_uuid() AS timeout_id
        FROM orders WHERE status IN ('PLACED', 'AWAITING_PAYMENT')
      ), started AS (
        INSERT INTO process_instances (process, key, state, version, timeouts)
        SELECT 'order-payment-deadline', order_id, jsonb_build_object('correlationId', correlation_id), 1,
               jsonb_build_object('payment-deadline', jsonb_build_object('id', timeout_id, 'dueAt', ${iso('due_at')}))
        FROM waiting
        ON CONFLICT DO NOTHING
        RETURNING key
      )
      INSERT INTO outbox_messages (event_id, type, topic, envelope, destination, deliver_at, available_at)
      SELECT timeout_id, 'messaging.process-manager.timeout.v1', 'process-manager-timeouts',
             json_build_object(
               'specversion', '1.0', 'id', timeout_id, 'source', '/orders', 'type', 'messaging.process-manager.timeout.v1',
               'time', ${iso('now()')}, 'subject', 'order-payment-deadline/' || order_id, 'datacontenttype', 'application/json',
               'data', json_build_object('process', 'order-payment-deadline', 'key', order_id, 'timeout', 'payment-deadline', 'data', json_build_object()),
               'correlationid', correlation_id),
             'own-queue', due_at, due_at
      FROM waiting JOIN started ON started.key = waiting.order_id`);
    // It served the deadline job's sweep, and nothing reads the orders table that way any more.
    await queryRunner.query(`DROP INDEX IF EXISTS "orders_awaiting_payment_idx"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "orders_awaiting_payment_idx" ON "orders" (payment_deadline) WHERE status IN ('PLACED', 'AWAITING_PAYMENT')`);
    await queryRunner.query(`DELETE FROM outbox_messages WHERE type = 'messaging.process-manager.timeout.v1' AND published_at IS NULL AND envelope->'data'->>'process' = 'order-payment-deadline'`);
    await queryRunner.query(`DELETE FROM process_instances WHERE process = 'order-payment-deadline'`);
  }
}
