import { Module } from '@nestjs/common';
import { EvaluationsController } from './evaluations.controller';
import { EvaluationsModule } from './evaluations.module';

/** The /evaluations/jobs routes (API app only). */
@Module({
  imports: [EvaluationsModule],
  controllers: [EvaluationsController],
})
export class EvaluationsHttpModule {}
