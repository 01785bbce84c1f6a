import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';
import { Html } from './html';

/** A handler that returns `Html` answers with a page or an htmx fragment. */
@Injectable()
export class HtmlInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result: unknown) => {
        if (!(result instanceof Html)) return result;
        context.switchToHttp().getResponse<Response>().type('html');
        return result.text;
      }),
    );
  }
}
