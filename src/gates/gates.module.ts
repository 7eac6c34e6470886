import { Module } from '@nestjs/common';
import { EvaluationsHttpModule } from '../evaluations/evaluations-http.module';
import { EvaluationsModule } from '../evaluations/evaluations.module';
import { GatesController } from './gates.controller';
import { GatesService } from './gates.service';

/** Release gates and their evaluation on jobs (API app only). */
@Module({
  imports: [EvaluationsModule, EvaluationsHttpModule],
  controllers: [GatesController],
  providers: [GatesService],
})
export class GatesModule {}
