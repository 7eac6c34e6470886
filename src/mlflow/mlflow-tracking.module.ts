import { Module, OnModuleInit } from '@nestjs/common';
import { isTerminalJobState } from '../domain/job-state';
import { EvaluationsModule } from '../evaluations/evaluations.module';
import { JobEventsBus } from '../evaluations/job-events.bus';
import { EvaluationQueue } from '../queue/evaluation-queue.producer';
import { MlflowExperiments } from './experiment-tracker.service';
import { MlflowSync } from './mlflow-sync.service';

/**
 * Queues the MLflow write of a job when it reaches a terminal state, in whichever process applied
 * the final event (API for adapter callbacks, worker for its own executors).
 */
@Module({
  imports: [EvaluationsModule],
  providers: [MlflowSync],
  exports: [MlflowSync],
})
export class MlflowTrackingModule implements OnModuleInit {
  constructor(
    private readonly bus: JobEventsBus,
    private readonly queue: EvaluationQueue,
    private readonly experiments: MlflowExperiments,
  ) {}

  onModuleInit(): void {
    if (!this.experiments.enabled) return;
    this.bus.on(async ({ before, after }) => {
      if (after.config.experiment && isTerminalJobState(after.status.state) && !isTerminalJobState(before.status.state)) {
        await this.queue.trackJob(after.resource.id);
      }
    });
  }
}
