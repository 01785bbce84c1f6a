import type { OperatedService } from '@app/operations';

/** A service the console operates: its topology (from code) and where its admin API answers. */
export interface ConsoleService extends OperatedService {
  defaultPort: number;
}

export interface DirectoryEntry extends ConsoleService {
  adminUrl: string;
}

export const CONSOLE_DIRECTORY = Symbol('CONSOLE_DIRECTORY');

/** Each service's admin URL: configured, or its default port on this machine (as `npm start` runs them). */
export function serviceDirectory(services: readonly ConsoleService[], urls: Record<string, string>): DirectoryEntry[] {
  return services.map((service) => ({ ...service, adminUrl: urls[service.name] ?? `http://localhost:${service.defaultPort}` }));
}
