import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LoginRequiredException } from './session.guard';

/** A page opens the login form; an htmx fragment makes the whole page go there; anything else gets a 401. */
@Catch(LoginRequiredException)
export class LoginRequiredFilter implements ExceptionFilter {
  catch(_exception: LoginRequiredException, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (request.header('hx-request')) {
      response.status(401).setHeader('HX-Redirect', '/login').send('');
    } else if (request.method === 'GET' && request.accepts(['html', 'json']) === 'html') {
      response.redirect(303, `/login?next=${encodeURIComponent(request.originalUrl)}`);
    } else {
      response.status(401).json({ statusCode: 401, message: 'Log in first' });
    }
  }
}
