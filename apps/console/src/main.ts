import 'reflect-metadata';
import { ConfigurationError } from '@app/messaging';
import { Logger } from '@nestjs/common';
import { services } from '../../../tools/services';
import { createConsoleApp } from './app';

/** The operations console of the shop's services: http://localhost:3000 by default. */
async function main(): Promise<void> {
  const { app, port } = await createConsoleApp(process.env, services);
  await app.listen(port);
  new Logger('console').log(`Listening on http://localhost:${port}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
