import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { ProvidersModule } from '../providers/providers.module';
import { ArtifactStash } from './artifact-stash';
import { CallbackTokens } from './callback-tokens';
import { EventAccess } from './event-access';
import { EvaluationsService } from './evaluations.service';
import { JobControl } from './job-control';
import { JobEventsBus } from './job-events.bus';
import { JobEventsService } from './job-events.service';
import { JobLogsService } from './job-logs.service';
import { JobsRepository } from './jobs.repository';
import { ResultReuseService } from './result-reuse.service';
import { AutoRetryService } from './auto-retry.service';

/** Evaluation jobs: store, submission and expansion, status events, cancel, logs. */
@Module({
  imports: [ProvidersModule, CollectionsModule],
  providers: [JobsRepository, EvaluationsService, JobLogsService, JobEventsService, JobEventsBus, JobControl, ArtifactStash, CallbackTokens, EventAccess, ResultReuseService, AutoRetryService],
  exports: [AutoRetryService, ResultReuseService, JobsRepository, EvaluationsService, JobLogsService, JobEventsService, JobEventsBus, JobControl, ArtifactStash, CallbackTokens, EventAccess, ProvidersModule, CollectionsModule],
})
export class EvaluationsModule {}
