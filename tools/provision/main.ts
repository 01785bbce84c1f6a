import { iamPolicyFor, loadConfig, messagingEnvSchema } from '@app/messaging';
import { services } from '../services';
import { describeAction, plan, provision } from './provision';

/**
 * `npm run provision`: apply the SNS/SQS topology.
 * `-- --dry-run`: print the plan instead. `-- --iam <service>`: print that service's IAM policy.
 */
async function main(): Promise<void> {
  const config = loadConfig(messagingEnvSchema);
  const iam = process.argv.indexOf('--iam');
  if (iam >= 0) {
    const name = process.argv[iam + 1];
    const service = services.find((candidate) => candidate.name === name);
    if (!service) throw new Error(`--iam needs a service name: ${services.map((candidate) => candidate.name).join(', ')}`);
    console.log(JSON.stringify(iamPolicyFor(service.topology, config.aws, config.topologyPrefix), null, 2));
    return;
  }
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
