import { applyDecorators, Catch, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import type { EventContract } from '../contracts/event-contract';

/**
 * Nest's default RPC filter turns every error into `{ status: 'error' }`, which would hide whether a
 * failure is retryable or poison. This one lets the original error through to the dispatcher.
 */
@Catch()
class RethrowToDispatcher implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Declares a handler for an event contract on a controller method, in @nestjs/microservices
 * vocabulary: use `@Payload()` for the validated, typed data and `@Ctx()` for the EventContext.
 *
 *   @OnEvent(OrderPlaced)
 *   async charge(@Payload() order: EventPayload<typeof OrderPlaced>, @Ctx() ctx: EventContext) {}
 */
export function OnEvent(contract: EventContract): MethodDecorator {
  return applyDecorators(EventPattern(contract.type), UseFilters(new RethrowToDispatcher()));
}
