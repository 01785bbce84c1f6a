import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A client's Idempotency-Key and the answer its first request got. Written in the transaction that
 * places the order, so a key exists exactly when its order does.
 */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKey {
  @PrimaryColumn({ type: 'text' })
  key: string;

  /** sha256 of the request body in canonical form: the same key with another body is refused. */
  @Column({ name: 'request_fingerprint', type: 'text' })
  requestFingerprint: string;

  @Column({ name: 'status_code', type: 'integer' })
  statusCode: number;

  /** `json`, not `jsonb`: kept as first sent, key order included, so a replay is byte for byte the same. */
  @Column({ type: 'json' })
  response: unknown;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
