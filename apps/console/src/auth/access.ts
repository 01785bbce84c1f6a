import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'console.public';
export const OPERATOR_ONLY = 'console.operator-only';

/** Reachable without logging in: the login page, static assets and the orchestrator's probes. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** An action that changes something: refused to a reader. */
export const OperatorOnly = () => SetMetadata(OPERATOR_ONLY, true);
