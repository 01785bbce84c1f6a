export { defineEvent, type EventContract, type EventPayload } from './contracts/event-contract';
export { createCloudEvent, parseCloudEvent, cloudEventSchema, type CloudEvent } from './envelope/cloud-event';
export { currentMessageContext, runInMessageContext, messageContextOrNew, type MessageContext } from './context/message-context';
export {
  MessagingError,
  RetryableError,
  PoisonMessageError,
  InvalidEventError,
  OutsideTransactionError,
  EventTooLargeError,
  TransactionAbortedError,
  type PoisonCode,
} from './errors/messaging-errors';
export { loadConfig, loadServiceConfig, booleanFromEnv, portFromEnv, ConfigurationError } from './config/load-config';
export { messagingEnvSchema, type MessagingConfig, type DatabaseConfig, type AwsConfig } from './config/messaging-config';
export { defineService, TopologyNames, type ServiceTopology } from './topology/service-topology';
export { planTopology, applyTopology, locateQueue, QueueNotFoundError, queuePolicy, EVENT_TYPE_ATTRIBUTE, type PlannedAction } from './topology/provisioner';
export { createSnsClient, createSqsClient, topicArn, queueArn } from './aws/aws-clients';
export { serviceDataSourceOptions, openServiceDataSource, migrateDataSource, type ServiceDatabase } from './database/service-data-source';
export { Outbox, type PublishOptions, type DueTime } from './outbox/outbox';
export { MAX_EVENT_BYTES, BROKER_LIMITS, messageBytes, messageGroupIdProblem } from './outbox/broker-limits';
export { OutboxBacklog, outboxBacklogOf, runSqlOn, runSqlOnDataSource, type RunSql, type ScheduledEvent, type OutboxSummary, type OutboxLag, LAG_COUNT_CAP, type ParkedEvent, type ReleaseSelection } from './outbox/outbox-backlog';
export { OutboxRelay } from './outbox/outbox-relay';
export { OutboxMessage } from './outbox/outbox-message.entity';
export { InboxMessage } from './inbox/inbox-message.entity';
export { EventContext } from './consumer/event-context';
export { OnEvent } from './consumer/on-event.decorator';
export { DEAD_LETTER_ATTRIBUTES, deadLetterAttributes, originalAttributesOf, isDeadLetterAttribute } from './consumer/dead-letter-record';
export { SQS_CLIENT } from './consumer/queue-addresses';
export { MessagingMetrics } from './metrics/messaging-metrics';
export { MessagingModule, type MessagingModuleOptions } from './messaging.module';
export { createServiceApp, runService, type ServiceAppOptions } from './bootstrap';
export { CORRELATION_HEADER } from './http/correlation.middleware';
export { DatabaseOutageFilter, DATABASE_OUTAGE_RETRY_AFTER_SECONDS } from './http/database-outage.filter';
export { SchedulingModule, ScheduledJob, ScheduledRun, ScheduledJobRunner, type ScheduledPublishOptions, type RunOutcome } from './scheduling';
export { RetentionJanitor } from './database/retention-janitor';
export { MessagingObserver, type HandledRecord, type PublishedRecord, type DeadLetteredRecord } from './observer/messaging-observer';
export { iamPolicyFor } from './topology/iam-policy';
export { EVENT_TRANSPORT, type EventTransport, type EventDestination, type OutgoingEvent, type BatchOutcome } from './outbox/event-transport';
export { startTracing } from './tracing/tracing-sdk';
export { pgClientConfig } from './database/postgres-connection';
export {
  ProcessManager,
  ProcessManagerModule,
  ProcessManagers,
  ProcessManagerTimeout,
  ProcessStep,
  StartedBy,
  Handles,
  OnTimeout,
  defineTimeout,
  type TimeoutDefinition,
  type TimeoutPayload,
  type TimeoutDue,
  type EventRouteOptions,
  type StepReport,
} from './process-manager';
export {
  readPendingOutbox,
  countPublished,
  readPublishedPage,
  readFlowEvents,
  readInboxRecords,
  type OutboxRecord,
  type PublishedFilter,
  type PublishedMatch,
  type FlowQuery,
  type InboxRecord,
} from './admin/outbox-reads';
export { type MetricsSnapshot } from './admin/metrics-snapshot';
