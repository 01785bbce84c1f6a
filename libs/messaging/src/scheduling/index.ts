export { SchedulingModule } from './scheduling.module';
export { ScheduledJob, ScheduledRun, type ScheduledPublishOptions } from './scheduled-job';
export { ScheduledJobRunner, type RunOutcome } from './scheduled-job-runner';
