import { incompatibleContractMessage } from './compatibility';
import { recordPublishedSchemas } from './published-schemas';

/** `npm run contracts:record`: records the payload schema of new contracts and of compatible changes. */
const { written, refused } = recordPublishedSchemas();
written.forEach((type) => console.log(`recorded ${type}`));
refused.forEach((check) => console.error(incompatibleContractMessage(check.type, check.problems)));
if (refused.length > 0) process.exit(1);
