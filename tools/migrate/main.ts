import { loadConfig, messagingEnvSchema } from '@app/messaging';
import { migrateAll } from './migrate';

/** `node dist/tools/migrate/main.js [--service orders]`: what the Kubernetes Job and compose run. */
async function main(): Promise<void> {
  const config = loadConfig(messagingEnvSchema);
  const flag = process.argv.indexOf('--service');
  const migrated = await migrateAll(config.database, flag >= 0 ? process.argv[flag + 1] : undefined);
  console.log(`Migrated: ${migrated.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
