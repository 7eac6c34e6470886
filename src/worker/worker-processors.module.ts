import { Module } from '@nestjs/common';
import { EvaluationsModule } from '../evaluations/evaluations.module';
import { ExecutorsModule } from '../executors/executors.module';
import { ActiveRuns } from './active-runs';
import { FinalizeJobProcessor } from './finalize-job.processor';
import { RunUnitProcessor } from './run-unit.processor';
import { RunUnitService } from './run-unit.service';
import { WorkerLifecycle } from './worker-lifecycle.service';

/** Queue processors and what they drive; only the worker app imports this module. */
@Module({
  imports: [EvaluationsModule, ExecutorsModule],
  providers: [ActiveRuns, RunUnitService, RunUnitProcessor, FinalizeJobProcessor, WorkerLifecycle],
  exports: [ActiveRuns],
})
export class WorkerProcessorsModule {}
