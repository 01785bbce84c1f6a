import { loadConfig, messagingEnvSchema } from '@app/messaging';
import { describeAction, plan, provision } from './provision';

/** `npm run provision [-- --dry-run]`: apply (or print) the SNS/SQS topology. */
async function main(): Promise<void> {
  const config = loadConfig(messagingEnvSchema);
  if (process.argv.includes('--dry-run')) {
    plan(config).forEach((action) => console.log(describeAction(action)));
    return;
  }
  const actions = await provision(config);
  console.log(`Provisioned ${actions.length} resources with prefix "${config.topologyPrefix}"`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
