import { ForbiddenException, HttpException, HttpStatus, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { OPERATOR_ONLY, PUBLIC_ROUTE } from './access';
import { signedInOperator } from './operator-session';

/** Thrown for a request without a session; the filter turns it into the login page. */
export class LoginRequiredException extends HttpException {
  constructor() {
    super('Log in first', HttpStatus.UNAUTHORIZED);
  }
}

/** Every route needs a signed-in operator unless it is marked public; actions need the operator role. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const operator = signedInOperator(context.switchToHttp().getRequest<Request>());
    if (!operator) throw new LoginRequiredException();
    if (this.reflector.getAllAndOverride<boolean>(OPERATOR_ONLY, targets) && operator.role !== 'operator') {
      throw new ForbiddenException('Read-only login: this action needs the operator token');
    }
    return true;
  }
}
