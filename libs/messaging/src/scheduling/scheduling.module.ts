import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ScheduledJobRunner } from './scheduled-job-runner';

/**
 * Runs the service's ScheduledJob providers. Import it next to MessagingModule (whose data source
 * and outbox it uses) and list the jobs as ordinary providers:
 *
 *   imports: [MessagingModule.forRoot(...), SchedulingModule],
 *   providers: [IdempotencyKeyPurgeJob],
 */
@Module({
  imports: [DiscoveryModule, ScheduleModule.forRoot()],
  providers: [ScheduledJobRunner],
  exports: [ScheduledJobRunner],
})
export class SchedulingModule {}
