export { SchedulingModule } from './scheduling.module';
export { ScheduledJob, ScheduledRun, type ScheduledPublishOptions } from './scheduled-job';
export { ScheduledJobRunner, type RunOutcome } from './scheduled-job-runner';
export { ScheduledJobRuns1732300000050 } from './scheduled-job-runs.migration';
