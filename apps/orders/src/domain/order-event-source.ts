import type { EventContext } from '@app/messaging';
import type { OrderEventSource } from './advance-order';

/** An event handler's transaction as the source of an order event. */
export function fromEvent(ctx: EventContext): OrderEventSource {
  return {
    manager: ctx.manager,
    publish: (contract, data, options) => ctx.publish(contract, data, options),
    causedByEventId: ctx.envelope.id,
    correlationId: ctx.envelope.correlationid,
  };
}
