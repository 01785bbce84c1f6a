export { openOps, serviceNamed, consumingServices, queueNamesOf, OpsError, type Ops, type OpenOps, type QueueOps, type OperatedService, type Queryable } from './operations-context';
export {
  deadLetterOverview,
  listDeadLetters,
  showDeadLetter,
  redriveDeadLetters,
  retryEdited,
  redriveAttributes,
  toDeadLetter,
  type DeadLetter,
  type DeadLetterListing,
  type ServiceQueueDepths,
  type RedriveSelection,
  type RedriveOptions,
  type RedriveResult,
} from './dead-letters';
export { isDeadLetterAttribute } from '@app/messaging';
export { groupFailures, reasonShape, type FailureGroup } from './failure-groups';
export { checkEditedEvent, type EditCheck } from './edited-event';
export {
  outboxBacklog,
  scheduledEvents,
  parkedEvents,
  releaseParked,
  releaseSelection,
  type OutboxBacklog,
  type ServiceScheduledEvent,
  type ServiceParkedEvent,
} from './outbox-backlog';
export {
  planReplay,
  countReplayable,
  replayEvents,
  replayFrom,
  databaseEventSource,
  type ReplayRequest,
  type ReplayPlan,
  type ReplayMatch,
  type ReplayResult,
  type PublishedEventSource,
} from './replay';
export { queueDepth, type QueueDepth, type BrowseOptions } from './queue-browser';
export { silentProgress, type Progress } from './progress';
export { type BatchFailure } from './sqs-batches';
export { formatAge } from './format-age';
