import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, Optional } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { MetricsService } from '../metrics/metrics.service';
import { MlflowError } from '../mlflow/mlflow.client';
import { MlflowSync, TrackingBusyError } from '../mlflow/mlflow-sync.service';
import { JobName, QueueName } from '../queue/queue.constants';
import { TrackBenchmarkData, TrackJobData } from '../queue/queue.types';

/** Doubling delays between attempts, capped, so an MLflow outage of hours is waited out. */
export function trackingBackoff(attemptsMade: number): number {
  return Math.min(30000, 500 * 2 ** Math.max(0, attemptsMade - 1));
}

/** Consumes mlflow-tracking: writes ended benchmarks and finished jobs to MLflow, retrying while MLflow is down. */
@Processor(QueueName.Tracking, { concurrency: 2, settings: { backoffStrategy: trackingBackoff } })
export class MlflowTrackingProcessor extends WorkerHost {
  private readonly logger = new Logger(MlflowTrackingProcessor.name);

  constructor(
    private readonly sync: MlflowSync,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    super();
  }

  async process(job: Job<TrackJobData | TrackBenchmarkData>): Promise<void> {
    try {
      if (job.name === JobName.TrackBenchmark) await this.sync.syncBenchmark(job.data.jobId, (job.data as TrackBenchmarkData).index);
      else await this.sync.syncJob(job.data.jobId);
    } catch (e) {
      const err = e as Error;
      // Another worker is writing this job to MLflow: try again in a moment, nothing failed.
      if (err instanceof TrackingBusyError) throw err;
      this.metrics?.mlflowWriteFailed();
      const retryable = !(err instanceof MlflowError) || err.retryable;
      // Only what GET shows as tracking.last_error: failing to record it must not hide `err`,
      // which BullMQ retries below.
      await this.sync
        .markPending(job.data.jobId, err.message, retryable ? 'pending' : 'failed')
        .catch((e2: unknown) => this.logger.warn(`job ${job.data.jobId}: tracking state not recorded: ${(e2 as Error).message}`));
      if (!retryable) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn(`MLflow tracking of ${job?.data?.jobId ?? '?'} (attempt ${job?.attemptsMade ?? '?'}) failed: ${err.message}`);
  }
}
