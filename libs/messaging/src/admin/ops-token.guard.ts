import { Inject, Injectable, NotFoundException, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';

/**
 * Admin routes answer only to `Authorization: Bearer <OPS_TOKEN>`. Without OPS_TOKEN configured they
 * do not exist (404), so a forgotten secret never leaves them open.
 */
@Injectable()
export class OpsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(MESSAGING_OPTIONS) options: MessagingOptions) {
    this.expected = options.config.http.opsToken ? Buffer.from(options.config.http.opsToken) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) throw new NotFoundException();
    const header = context.switchToHttp().getRequest<Request>().header('authorization') ?? '';
    const presented = Buffer.from(header.replace(/^Bearer /i, ''));
    if (presented.length !== this.expected.length || !timingSafeEqual(presented, this.expected)) {
      throw new UnauthorizedException('A valid ops token is required (Authorization: Bearer <OPS_TOKEN>)');
    }
    return true;
  }
}
