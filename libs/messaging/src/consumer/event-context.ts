import type { EntityManager } from 'typeorm';
import type { EventContract, EventPayload } from '../contracts/event-contract';
import type { CloudEvent } from '../envelope/cloud-event';
import type { Outbox, PublishOptions } from '../outbox/outbox';

/**
 * What a handler gets besides its payload (`@Ctx()`): the envelope, and the transaction it runs in.
 * Everything the handler writes through `manager`, and every event it publishes, commits together
 * with the inbox row that marks this event as handled.
 */
export class EventContext {
  constructor(
    readonly envelope: CloudEvent,
    readonly manager: EntityManager,
    /** How many times SQS has delivered this message, this delivery included. */
    readonly receiveCount: number,
    private readonly outbox: Outbox,
  ) {}

  publish<C extends EventContract>(contract: C, data: EventPayload<C>, options: PublishOptions): Promise<CloudEvent<EventPayload<C>>> {
    return this.outbox.publish(this.manager, contract, data, options);
  }
}
