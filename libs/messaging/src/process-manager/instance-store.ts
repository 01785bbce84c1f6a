import type { EntityManager } from 'typeorm';

/** A timeout an instance waits for: the id the scheduler gave it, and when it is due. */
export interface PendingTimeout {
  readonly id: string;
  readonly dueAt: string;
}

/** One process-manager instance as stored. */
export interface ProcessInstance {
  state: object;
  /** Incremented by every save: how many steps the instance has taken. */
  version: number;
  completed: boolean;
  /** The timeouts it waits for, by name (at most one per name). */
  timeouts: Record<string, PendingTimeout>;
}

export interface LockedInstance {
  instance: ProcessInstance;
  /** Created by this call (with the initial state): the message starts the instance. */
  created: boolean;
}

/**
 * Where instances live. Both calls MUST run inside the transaction of the step, so the instance's
 * state commits with the inbox row, the outbox rows and the timeout rows of the same message.
 */
export interface InstanceStore {
  /**
   * Finds the instance of `process` for `key` and holds it until the transaction ends, so two
   * messages for one instance are handled one after the other, the second seeing the first's
   * state. With `initial`, a missing instance is created with that state (and held too);
   * without it, a missing instance is `undefined`.
   */
  lock(manager: EntityManager, process: string, key: string, initial?: object): Promise<LockedInstance | undefined>;

  /** Writes the instance held by `lock` back, one version on. */
  save(manager: EntityManager, process: string, key: string, instance: ProcessInstance): Promise<void>;
}
