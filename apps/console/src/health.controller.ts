import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Public } from './auth/access';
import { CONSOLE_DATABASE } from './console-database';

/** The orchestrator's probes: they say whether the console works, and nothing about the system. */
@Public()
@Controller('health')
export class ConsoleHealthController {
  constructor(@Inject(CONSOLE_DATABASE) private readonly db: DataSource) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    try {
      await this.db.query('SELECT 1');
    } catch (error) {
      throw new ServiceUnavailableException({ status: 'down', database: (error as Error).message });
    }
    return { status: 'ok' };
  }
}
