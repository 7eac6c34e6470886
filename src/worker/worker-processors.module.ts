import { Module } from '@nestjs/common';
import { EvaluationsModule } from '../evaluations/evaluations.module';
import { ExecutorsModule } from '../executors/executors.module';
import { GatewayModule } from '../gateway/gateway.module';
import { MlflowTrackingModule } from '../mlflow/mlflow-tracking.module';
import { ActiveRuns } from './active-runs';
import { FinalizeJobProcessor } from './finalize-job.processor';
import { MlflowTrackingProcessor } from './mlflow-tracking.processor';
import { RunUnitProcessor } from './run-unit.processor';
import { RunLeases } from './run-leases';
import { RunUnitService } from './run-unit.service';
import { WorkerEnvironmentsPublisher } from './worker-environments.service';
import { WorkerLifecycle } from './worker-lifecycle.service';

/** Queue processors and what they drive; only the worker app imports this module. */
@Module({
  imports: [EvaluationsModule, ExecutorsModule, MlflowTrackingModule, GatewayModule],
  providers: [ActiveRuns, RunLeases, RunUnitService, RunUnitProcessor, FinalizeJobProcessor, MlflowTrackingProcessor, WorkerLifecycle, WorkerEnvironmentsPublisher],
  exports: [ActiveRuns],
})
export class WorkerProcessorsModule {}
