import { Inject, Injectable } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';

/**
 * A Nest microservice transport strategy whose only job is to collect the `@OnEvent` handlers, so
 * they run through Nest's pipeline (pipes, guards, interceptors, `@Payload`/`@Ctx`). Receiving is
 * done by @ssut/nestjs-sqs; the EventDispatcher looks handlers up here.
 *
 * `listen` is where the handlers are known, so it also checks them against the service's topology:
 * a consumed event without a handler, or a handler for an event the queue is not subscribed to,
 * stops start-up instead of silently dropping or never receiving messages.
 */
@Injectable()
export class EventHandlersServer extends Server implements CustomTransportStrategy {
  private markReady!: () => void;
  /** Resolves once handlers are registered; messages received before then wait for it. */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    const handled = new Set(this.messageHandlers.keys());
    const consumed = new Set(this.options.topology.consumes.map((contract) => contract.type));
    const missing = [...consumed].filter((type) => !handled.has(type));
    const unexpected = [...handled].filter((type) => !consumed.has(type));
    if (missing.length > 0 || unexpected.length > 0) {
      callback(
        new Error(
          `Handlers of "${this.options.topology.service}" do not match its topology: ` +
            `${missing.length ? `no @OnEvent handler for ${missing.join(', ')}` : ''}` +
            `${missing.length && unexpected.length ? '; ' : ''}` +
            `${unexpected.length ? `handlers for events not in "consumes": ${unexpected.join(', ')}` : ''}`,
        ),
      );
      return;
    }
    this.markReady();
    callback();
  }

  /**
   * The handler registered for an event type. Looked up by the type as registered (a string
   * pattern is its own route), not through `getHandlerByPattern`, which first tries the pattern as
   * JSON and, for every message, throws and catches a SyntaxError (1.4 % of a busy consumer's CPU).
   */
  handlerFor(type: string): MessageHandler | null {
    return this.messageHandlers.get(type) ?? null;
  }

  close(): void {
    // Receiving belongs to the SQS consumer, which Nest stops on module destroy.
  }

  on(): never {
    throw new Error('EventHandlersServer emits no events');
  }

  unwrap<T>(): T {
    throw new Error('EventHandlersServer wraps no client');
  }
}
