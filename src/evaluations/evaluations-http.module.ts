import { Module } from '@nestjs/common';
import { ArtifactsService } from './artifacts.service';
import { ComparisonService } from './comparison.service';
import { EvaluationsController } from './evaluations.controller';
import { EvaluationsModule } from './evaluations.module';
import { JobStreamService } from './job-stream.service';

/** The /evaluations/jobs routes, their live streams and artifact downloads (API app only). */
@Module({
  imports: [EvaluationsModule],
  controllers: [EvaluationsController],
  providers: [JobStreamService, ArtifactsService, ComparisonService],
  exports: [ComparisonService],
})
export class EvaluationsHttpModule {}
