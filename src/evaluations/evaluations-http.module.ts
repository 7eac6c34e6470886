import { Module } from '@nestjs/common';
import { EvaluationsController } from './evaluations.controller';
import { EvaluationsModule } from './evaluations.module';
import { JobStreamService } from './job-stream.service';

/** The /evaluations/jobs routes and their live streams (API app only). */
@Module({
  imports: [EvaluationsModule],
  controllers: [EvaluationsController],
  providers: [JobStreamService],
})
export class EvaluationsHttpModule {}
