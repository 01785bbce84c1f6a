import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CONSOLE_CSS } from '../views/stylesheet';
import { Public } from './access';

/** The console serves its own assets: no CDN at run time. htmx comes from its npm package. */
@Public()
@Controller('assets')
export class AssetsController {
  private readonly htmxPath = require.resolve('htmx.org/dist/htmx.min.js');

  @Get('htmx.min.js')
  htmx(@Res() response: Response): void {
    response.type('application/javascript').setHeader('cache-control', 'public, max-age=86400');
    response.sendFile(this.htmxPath);
  }

  @Get('console.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  stylesheet(): string {
    return CONSOLE_CSS;
  }
}
