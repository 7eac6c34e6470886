import { Module, OnModuleInit } from '@nestjs/common';
import { isTerminalJobState } from '../domain/job-state';
import { EvaluationsModule } from '../evaluations/evaluations.module';
import { JobEventsBus } from '../evaluations/job-events.bus';
import { EvaluationQueue } from '../queue/evaluation-queue.producer';
import { MlflowExperiments } from './experiment-tracker.service';
import { MlflowSync } from './mlflow-sync.service';

/**
 * Queues MLflow writes, in whichever process applied the event (API for adapter callbacks, worker
 * for its own executors): a benchmark's run when it ends, the whole job when it ends.
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
    this.bus.on(async ({ before, after, index }) => {
      if (!after.config.experiment) return;
      if (isTerminalJobState(after.status.state)) {
        if (!isTerminalJobState(before.status.state)) await this.queue.trackJob(after.resource.id);
        return;
      }
      // A benchmark ended while others still run: its run shows up in MLflow now, not at the end.
      if (index === undefined) return;
      const was = before.status.benchmarks.find((b) => b.benchmark_index === index)?.status;
      const now = after.status.benchmarks.find((b) => b.benchmark_index === index)?.status;
      const ended = (s?: string) => s === 'completed' || s === 'failed';
      if (ended(now) && !ended(was)) await this.queue.trackBenchmark(after.resource.id, index);
    });
  }
}
