import type { EntityManager } from 'typeorm';

/**
 * Serialises everything inventory does about one order (placing, confirming, cancelling), even
 * before a reservation row exists to lock: an OrderCancelled and an OrderPlaced for the same order
 * handled at the same moment then see each other's effects, so a cancellation can never miss a
 * hold made beside it. MUST be called inside a transaction; the lock lasts until it ends.
 */
export async function lockOrder(manager: EntityManager, orderId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`inventory-order:${orderId}`]);
}

/** Whether an OrderCancelled about the order has been handled here before. */
export async function isKnownCancelled(manager: EntityManager, orderId: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(`SELECT 1 FROM order_cancellations WHERE order_id = $1`, [orderId]);
  return rows.length > 0;
}
