import { Module } from '@nestjs/common';
import { ArtifactsService } from './artifacts.service';
import { ComparisonService } from './comparison.service';
import { EvaluationsController } from './evaluations.controller';
import { EvaluationsModule } from './evaluations.module';
import { EventIntake } from './event-intake';
import { JobEventsFastPath } from './job-events.fast-path';
import { JobReadFastPath } from './job-read.fast-path';
import { JobListBodies } from './job-list-bodies';
import { JobReader } from './job-reader';
import { JobStreamService } from './job-stream.service';

/** The /evaluations/jobs routes, their live streams and artifact downloads (API app only). */
@Module({
  imports: [EvaluationsModule],
  controllers: [EvaluationsController],
  providers: [JobStreamService, ArtifactsService, ComparisonService, JobReader, JobListBodies, JobReadFastPath, EventIntake, JobEventsFastPath],
  exports: [ComparisonService],
})
export class EvaluationsHttpModule {}
