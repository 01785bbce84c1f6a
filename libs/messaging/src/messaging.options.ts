import type { MessagingConfig } from './config/messaging-config';
import type { ServiceTopology } from './topology/service-topology';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  topology: ServiceTopology;
  config: MessagingConfig;
}
