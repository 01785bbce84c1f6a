import type { Message } from '@aws-sdk/client-sqs';

/** What a message's processing ended in: acknowledged, or left on the queue for later. */
export type Settlement = 'acknowledge' | 'leave';

/**
 * Keeps FIFO message groups in order inside one process. A receive can hold several messages of
 * one group; they run one after the other, and once one is left on the queue (a delayed retry)
 * the rest of its group is handed back too, so nothing overtakes it. SQS itself delivers no more
 * of a group while one of its messages is in flight, so this is all the ordering a consumer needs.
 * Messages without a group (standard queues) run at once, in parallel.
 */
export class FifoSequencer {
  private readonly tails = new Map<string, Promise<Settlement>>();

  run(message: Message, work: () => Promise<Settlement>, handBack: () => Promise<void>): Promise<Settlement> {
    const group = message.Attributes?.MessageGroupId;
    if (!group) return work();
    const previous = this.tails.get(group) ?? Promise.resolve<Settlement>('acknowledge');
    const next = previous.then(async (before): Promise<Settlement> => {
      if (before === 'acknowledge') return work();
      await handBack();
      return 'leave';
    });
    this.tails.set(group, next);
    const forget = () => {
      if (this.tails.get(group) === next) this.tails.delete(group);
    };
    next.then(forget, forget);
    return next;
  }
}
