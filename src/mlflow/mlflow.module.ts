import { Global, Module } from '@nestjs/common';
import { EXPERIMENT_TRACKER } from '../evaluations/experiment-tracker';
import { MlflowExperiments } from './experiment-tracker.service';

/** MLflow connection and experiment handling; global so job submission can use it. */
@Global()
@Module({
  providers: [MlflowExperiments, { provide: EXPERIMENT_TRACKER, useExisting: MlflowExperiments }],
  exports: [MlflowExperiments, EXPERIMENT_TRACKER],
})
export class MlflowModule {}
